"""The filters the SCIM endpoint answers, as SQL.

Identity providers look people and groups up one at a time before they create or change
them (`userName eq "..."`, `externalId eq "..."`, `displayName eq "..."`), so the endpoint
supports `eq` on those attributes, and `and` of such comparisons. Any other filter is
refused with `invalidFilter` rather than answered wrongly. scim2-models parses the filter
(a syntax error is `invalidFilter` too).
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from scim2_models import Group, InvalidFilterException, ScimFilter

from pdservice.core.models import User
from pdservice.scim.models import ScimGroup, ScimUser
from pdservice.scim.resources import ScimUserResource

USER_ATTRIBUTES = ("id", "userName", "externalId", "emails.value", "displayName")
GROUP_ATTRIBUTES = ("id", "displayName", "externalId")


def _comparisons(node, text: str) -> Iterator[tuple[str, str]]:
    """(attribute, value) of each `eq` comparison of an `and` of comparisons."""
    terms = getattr(node, "terms", None)
    if terms is not None:
        if node.op.value != "and":
            raise InvalidFilterException(detail=f"unsupported filter {text!r}: only 'and' joins")
        for term in terms:
            yield from _comparisons(term, text)
        return
    attr_path = getattr(node, "attr_path", None)
    op = getattr(node, "op", None)
    if attr_path is None or op is None or op.value != "eq" or hasattr(node, "val_filter"):
        raise InvalidFilterException(detail=f"unsupported filter {text!r}: only 'eq' comparisons")
    name = attr_path.attr + (f".{attr_path.sub_attr}" if attr_path.sub_attr else "")
    yield name, "" if node.value is None else str(node.value)


def _parse(model, text: str):
    try:
        return ScimFilter[model](text).ast
    except InvalidFilterException:
        raise
    except ValueError as exc:
        raise InvalidFilterException(detail=f"filter {text!r}: {exc}") from exc


def user_query(text: str | None) -> sa.Select:
    """People visible to provisioning (all but those whose provisioning was deleted)."""
    deleted = sa.select(ScimUser.user_id).where(ScimUser.deleted_at.is_not(None))
    query = sa.select(User).where(User.id.not_in(deleted))
    if not text:
        return query
    for attribute, value in _comparisons(_parse(ScimUserResource, str(text)), str(text)):
        lowered = attribute.lower()
        if lowered == "id":
            query = query.where(User.id == (int(value) if value.isdigit() else -1))
        elif lowered == "username":
            # A provisioned person by the userName the provider gave; anyone else by e-mail,
            # so that the provider finds (and takes over) people created here first.
            provisioned = sa.select(ScimUser.user_id).where(ScimUser.user_name_key == value.lower())
            unprovisioned = sa.select(ScimUser.user_id)
            query = query.where(
                sa.or_(
                    User.id.in_(provisioned),
                    sa.and_(User.email == value.lower(), User.id.not_in(unprovisioned)),
                )
            )
        elif lowered == "externalid":
            query = query.where(
                User.id.in_(sa.select(ScimUser.user_id).where(ScimUser.external_id == value))
            )
        elif lowered == "emails.value" or lowered == "emails":
            query = query.where(User.email == value.lower())
        elif lowered == "displayname":
            query = query.where(sa.func.lower(User.name) == value.lower())
        else:
            raise InvalidFilterException(
                detail=f"unsupported filter attribute {attribute!r} "
                f"(supported: {', '.join(USER_ATTRIBUTES)}, with eq)"
            )
    return query


def group_query(text: str | None) -> sa.Select:
    query = sa.select(ScimGroup)
    if not text:
        return query
    for attribute, value in _comparisons(_parse(Group, str(text)), str(text)):
        lowered = attribute.lower()
        if lowered == "id":
            query = query.where(ScimGroup.id == (int(value) if value.isdigit() else -1))
        elif lowered == "displayname":
            query = query.where(sa.func.lower(ScimGroup.display_name) == value.lower())
        elif lowered == "externalid":
            query = query.where(ScimGroup.external_id == value)
        else:
            raise InvalidFilterException(
                detail=f"unsupported filter attribute {attribute!r} "
                f"(supported: {', '.join(GROUP_ATTRIBUTES)}, with eq)"
            )
    return query
