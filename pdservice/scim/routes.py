"""The SCIM 2.0 endpoint (RFC 7644) at /scim/v2: Users, Groups and the discovery documents.

Authentication is a bearer token of the provisioning page (`scim/tokens.py`); no cookie,
no CSRF token. Every answer is `application/scim+json`; every error is a SCIM Error with the
status and `scimType` RFC 7644 names, and leaves nothing changed (one commit per request).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, g, request, url_for
from flask_babel import force_locale
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    Group,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
)
from werkzeug.exceptions import HTTPException

from pdservice.accounts.services import AccountError
from pdservice.core.models import User
from pdservice.extensions import csrf, db
from pdservice.scim import provisioning
from pdservice.scim.filters import group_query, user_query
from pdservice.scim.models import ScimGroup, ScimGroupMember, ScimUser
from pdservice.scim.resources import (
    MAX_RESULTS,
    POLICY,
    PROVIDER,
    GroupList,
    GroupPatch,
    ScimUserResource,
    UserList,
    UserPatch,
    group_resource,
    user_resource,
)
from pdservice.scim.responses import error_response, scim_response
from pdservice.scim.tokens import authenticate, record_use

bp = Blueprint("scim", __name__)
csrf.exempt(bp)

DEFAULT_COUNT = 100


def scim_endpoint(view: Callable) -> Callable:
    """Authenticate, run the view in English under the service's SCIM policy, commit once;
    turn every refusal into a SCIM Error (rolled back, logged)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        refusal = authenticate(request)
        if refusal is not None:
            return refusal
        try:
            with force_locale("en"), POLICY:
                response = view(*args, **kwargs)
            db.session.commit()
            record_use()
            return response
        except SCIMException as exc:
            db.session.rollback()
            return _refused(exc.to_error())
        except AccountError as exc:
            db.session.rollback()
            return _refused(provisioning.scim_error(exc).to_error())
        except ValidationError as exc:
            db.session.rollback()
            return _refused(Error.from_validation_errors(exc)[0])

    return wrapped


def _refused(error: Error) -> Response:
    token = g.get("scim_token")
    current_app.logger.warning(
        "SCIM %s %s refused (%s %s): %s [token %s]",
        request.method,
        request.path,
        error.status,
        error.scim_type or "-",
        error.detail,
        token.name if token is not None else "-",
    )
    return error_response(error)


def _body() -> Any:
    data = request.get_data(cache=False)
    try:
        return json.loads(data or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidSyntaxException(detail=f"the body is not JSON: {exc}") from exc


def _response_parameters() -> ResponseParameters:
    return ResponseParameters.model_validate(
        {
            key: request.args[key]
            for key in ("attributes", "excludedAttributes")
            if key in request.args
        }
    )


def _search_request() -> SearchRequest:
    allowed = {"filter", "startIndex", "count", "attributes", "excludedAttributes"}
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise InvalidSyntaxException(detail=f"unsupported query parameters: {', '.join(unknown)}")
    return SearchRequest.model_validate(dict(request.args.items()))


def _page(search: SearchRequest) -> tuple[int, int]:
    start = max(1, search.start_index or 1)
    count = DEFAULT_COUNT if search.count is None else max(0, min(search.count, MAX_RESULTS))
    return start, count


def _total(query: sa.Select, start: int, count: int, found: int) -> int:
    """totalResults: counted only when the page does not tell it (a lookup by userName, the
    provider's most frequent request, finds one or none on the first page)."""
    if start == 1 and found < count:
        return found
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def _groups_of(user_ids: list[int]) -> dict[int, list[ScimGroup]]:
    groups: dict[int, list[ScimGroup]] = {i: [] for i in user_ids}
    if not user_ids:
        return groups
    rows = db.session.execute(
        sa.select(ScimGroupMember.user_id, ScimGroup)
        .join(ScimGroup, ScimGroup.id == ScimGroupMember.group_id)
        .where(ScimGroupMember.user_id.in_(user_ids))
        .order_by(ScimGroup.id)
    ).all()
    for user_id, group in rows:
        groups[user_id].append(group)
    return groups


def _user_payload(person: User, scim: ScimUser | None, context: Context) -> dict[str, Any]:
    resource = user_resource(person, scim, _groups_of([person.id])[person.id])
    return resource.model_dump(scim_ctx=context, response_parameters=_response_parameters())


# --- discovery ------------------------------------------------------------------------------


@bp.route("/ServiceProviderConfig")
@scim_endpoint
def service_provider_config() -> Response:
    return scim_response(PROVIDER.config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _list(resources: list, model) -> dict[str, Any]:
    return ListResponse[model](
        total_results=len(resources),
        start_index=1,
        items_per_page=len(resources),
        resources=resources,
    ).model_dump(scim_ctx=Context.SEARCH_RESPONSE)


@bp.route("/ResourceTypes")
@scim_endpoint
def resource_types() -> Response:
    return scim_response(_list(list(PROVIDER.resource_types), ResourceType))


@bp.route("/ResourceTypes/<name>")
@scim_endpoint
def resource_type(name: str) -> Response:
    found = next((rt for rt in PROVIDER.resource_types if rt.id == name), None)
    if found is None:
        raise NotFoundException(detail=f"no ResourceType {name}")
    return scim_response(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.route("/Schemas")
@scim_endpoint
def schemas() -> Response:
    return scim_response(_list(list(PROVIDER.schemas), Schema))


@bp.route("/Schemas/<path:schema_id>")
@scim_endpoint
def schema(schema_id: str) -> Response:
    found = next((s for s in PROVIDER.schemas if s.id == schema_id), None)
    if found is None:
        raise NotFoundException(detail=f"no Schema {schema_id}")
    return scim_response(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


# --- Users ----------------------------------------------------------------------------------


@bp.route("/Users", methods=["GET"])
@scim_endpoint
def users() -> Response:
    return _list_users(_search_request())


@bp.route("/Users/.search", methods=["POST"])
@scim_endpoint
def users_search() -> Response:
    return _list_users(SearchRequest.model_validate(_body(), scim_ctx=Context.SEARCH_REQUEST))


def _list_users(search: SearchRequest) -> Response:
    start, count = _page(search)
    query = user_query(search.filter)
    rows = db.session.execute(
        query.add_columns(ScimUser)
        .outerjoin(ScimUser, ScimUser.user_id == User.id)
        .order_by(User.id)
        .offset(start - 1)
        .limit(count)
    ).all()
    total = _total(query, start, count, len(rows))
    groups = _groups_of([person.id for person, _scim in rows])
    resources = [user_resource(person, scim, groups[person.id]) for person, scim in rows]
    payload = UserList(
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=resources,
    ).model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search)
    return scim_response(payload)


@bp.route("/Users", methods=["POST"])
@scim_endpoint
def user_create() -> Response:
    resource = ScimUserResource.model_validate(_body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    person, scim = provisioning.create_user(resource)
    location = url_for("scim.user", user_id=person.id, _external=True)
    return scim_response(
        _user_payload(person, scim, Context.RESOURCE_CREATION_RESPONSE), 201, Location=location
    )


@bp.route("/Users/<user_id>", methods=["GET"])
@scim_endpoint
def user(user_id: str) -> Response:
    person, scim = provisioning.find_person(user_id)
    return scim_response(_user_payload(person, scim, Context.RESOURCE_QUERY_RESPONSE))


@bp.route("/Users/<user_id>", methods=["PUT"])
@scim_endpoint
def user_replace(user_id: str) -> Response:
    person, scim = provisioning.find_person(user_id)
    resource = ScimUserResource.model_validate(
        _body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
    )
    scim = provisioning.replace_user(person, scim, resource)
    return scim_response(_user_payload(person, scim, Context.RESOURCE_REPLACEMENT_RESPONSE))


@bp.route("/Users/<user_id>", methods=["PATCH"])
@scim_endpoint
def user_patch(user_id: str) -> Response:
    person, scim = provisioning.find_person(user_id)
    patch = UserPatch.model_validate(_body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    current = user_resource(person, scim, ())
    scim = provisioning.patch_user(person, scim, patch, current)
    return scim_response(_user_payload(person, scim, Context.RESOURCE_PATCH_RESPONSE))


@bp.route("/Users/<user_id>", methods=["DELETE"])
@scim_endpoint
def user_delete(user_id: str) -> Response:
    person, scim = provisioning.find_person(user_id)
    provisioning.delete_user(person, scim)
    return scim_response(None, 204)


# --- Groups ---------------------------------------------------------------------------------


def _members(group_ids: list[int], parameters: ResponseParameters) -> dict[int, list] | None:
    """(id, name) of each group's members, unless the request leaves members out."""
    excluded = {str(a).lower() for a in parameters.excluded_attributes or ()}
    chosen = {str(a).lower() for a in parameters.attributes or ()}
    if "members" in excluded or (chosen and not any(a.startswith("members") for a in chosen)):
        return None
    members: dict[int, list] = {i: [] for i in group_ids}
    rows = db.session.execute(
        sa.select(ScimGroupMember.group_id, User.id, User.name)
        .join(User, User.id == ScimGroupMember.user_id)
        .where(ScimGroupMember.group_id.in_(group_ids))
        .order_by(User.id)
    ).all()
    for group_id, user_id, name in rows:
        members[group_id].append((user_id, name))
    return members


def _group_payload(group: ScimGroup, context: Context) -> dict[str, Any]:
    parameters = _response_parameters()
    members = _members([group.id], parameters)
    resource = group_resource(group, None if members is None else members[group.id])
    return resource.model_dump(scim_ctx=context, response_parameters=parameters)


@bp.route("/Groups", methods=["GET"])
@scim_endpoint
def groups() -> Response:
    return _list_groups(_search_request())


@bp.route("/Groups/.search", methods=["POST"])
@scim_endpoint
def groups_search() -> Response:
    return _list_groups(SearchRequest.model_validate(_body(), scim_ctx=Context.SEARCH_REQUEST))


def _list_groups(search: SearchRequest) -> Response:
    start, count = _page(search)
    query = group_query(search.filter)
    found = list(db.session.scalars(query.order_by(ScimGroup.id).offset(start - 1).limit(count)))
    total = _total(query, start, count, len(found))
    members = _members([group.id for group in found], search)
    resources = [
        group_resource(group, None if members is None else members[group.id]) for group in found
    ]
    payload = GroupList(
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=resources,
    ).model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search)
    return scim_response(payload)


@bp.route("/Groups", methods=["POST"])
@scim_endpoint
def group_create() -> Response:
    resource = Group.model_validate(_body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    group = provisioning.create_group(resource)
    location = url_for("scim.group", group_id=group.id, _external=True)
    return scim_response(
        _group_payload(group, Context.RESOURCE_CREATION_RESPONSE), 201, Location=location
    )


@bp.route("/Groups/<group_id>", methods=["GET"])
@scim_endpoint
def group(group_id: str) -> Response:
    found = provisioning.find_group(group_id)
    return scim_response(_group_payload(found, Context.RESOURCE_QUERY_RESPONSE))


@bp.route("/Groups/<group_id>", methods=["PUT"])
@scim_endpoint
def group_replace(group_id: str) -> Response:
    found = provisioning.find_group(group_id)
    resource = Group.model_validate(_body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    provisioning.replace_group(found, resource)
    return scim_response(_group_payload(found, Context.RESOURCE_REPLACEMENT_RESPONSE))


@bp.route("/Groups/<group_id>", methods=["PATCH"])
@scim_endpoint
def group_patch(group_id: str) -> Response:
    found = provisioning.find_group(group_id)
    patch = GroupPatch.model_validate(_body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    provisioning.patch_group(found, patch)
    # Entra ID asks for no body; a large group's member list is not sent back.
    return scim_response(None, 204)


@bp.route("/Groups/<group_id>", methods=["DELETE"])
@scim_endpoint
def group_delete(group_id: str) -> Response:
    provisioning.delete_group(provisioning.find_group(group_id))
    return scim_response(None, 204)


# --- everything else under /scim/v2 ---------------------------------------------------------


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@scim_endpoint
def unknown(rest: str) -> Response:
    raise NotFoundException(
        detail=f"no endpoint /{rest} (Users, Groups, Schemas, ResourceTypes, ServiceProviderConfig)"
    )


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    """Errors Flask raises before a view runs (a body too large, a method not allowed)."""
    db.session.rollback()
    return error_response(Error(status=exc.code or 400, detail=exc.description))
