"""The SCIM view of pdservice: people as `User` resources (with the enterprise extension),
provisioning groups as `Group` resources, and the discovery documents. The models are those
of `scim2-models` (RFC 7643); this module only fills them from rows and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import url_for
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    ListResponse,
    Meta,
    Name,
    Patch,
    PatchOp,
    ResourceType,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

from pdservice.accounts.services import PersonDetails, language_from_tag, profession_from_title
from pdservice.core.models import User as Person
from pdservice.scim.models import ScimGroup, ScimUser

ScimUserResource = User[EnterpriseUser]
# Parametrised message models, made once: pydantic builds a class at each subscript.
UserPatch = PatchOp[ScimUserResource]
GroupPatch = PatchOp[Group]
UserList = ListResponse[ScimUserResource]
GroupList = ListResponse[Group]
MAX_RESULTS = 200

# Microsoft Entra ID's provisioning departs from RFC 7644 in two ways that cannot be mistaken
# for anything else: a `remove` of group members carries the members in `value`, and a
# `replace` of `emails[type eq "work"].value` on a person with no work address adds one.
# Unknown attributes stay refused (invalidSyntax).
POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

SERVICE_PROVIDER_CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[
        AuthenticationScheme(
            type="oauthbearertoken",
            name="Bearer token",
            description="A provisioning token made by an administrator of the service "
            "(Administration > Provisioning); send it as 'Authorization: Bearer <token>'.",
            primary=True,
        )
    ],
)

PROVIDER = ScimProvider(
    models=[User, EnterpriseUser, Group],
    resource_types=[
        ResourceType.from_resource(ScimUserResource),
        ResourceType.from_resource(Group),
    ],
    config=SERVICE_PROVIDER_CONFIG,
    policy=POLICY,
)


def _meta(resource_type: str, created_at, updated_at, location: str) -> Meta:
    return Meta(
        resource_type=resource_type,
        created=created_at,
        last_modified=updated_at,
        location=location,
    )


def user_resource(
    person: Person, scim: ScimUser | None, groups: Iterable[ScimGroup] = ()
) -> ScimUserResource:
    """A person as a SCIM User (what GET returns, and what a PATCH is applied to)."""
    enterprise = EnterpriseUser(
        employee_number=person.employee_number,
        department=scim.department if scim else None,
    )
    updated = max(person.updated_at, scim.updated_at) if scim else person.updated_at
    resource = ScimUserResource(
        id=str(person.id),
        external_id=scim.external_id if scim else None,
        user_name=scim.user_name if scim else person.email,
        display_name=person.name,
        name=Name(
            formatted=person.name,
            given_name=scim.given_name if scim else None,
            family_name=scim.family_name if scim else None,
        ),
        emails=[Email(value=person.email, type=Email.Type.work, primary=True)],
        active=person.active,
        preferred_language=person.preferred_language.value,
        title=scim.title if scim else None,
        groups=[
            GroupMembership(
                value=str(g.id),
                display=g.display_name,
                ref=url_for("scim.group", group_id=g.id, _external=True),
            )
            for g in groups
        ]
        or None,
        meta=_meta(
            "User",
            person.created_at,
            updated,
            url_for("scim.user", user_id=person.id, _external=True),
        ),
    )
    resource[EnterpriseUser] = enterprise
    return resource


def group_resource(group: ScimGroup, members: Iterable[tuple[int, str]] | None) -> Group:
    """A group as a SCIM Group; `members` are (person id, name), None leaves them out."""
    return Group(
        id=str(group.id),
        external_id=group.external_id,
        display_name=group.display_name,
        members=None
        if members is None
        else [
            GroupMember(
                value=str(user_id),
                display=name,
                type="User",
                ref=url_for("scim.user", user_id=user_id, _external=True),
            )
            for user_id, name in members
        ],
        meta=_meta(
            "Group",
            group.created_at,
            group.updated_at,
            url_for("scim.group", group_id=group.id, _external=True),
        ),
    )


@dataclass(frozen=True)
class UserAttributes:
    """What a User resource says, in pdservice's terms."""

    user_name: str
    external_id: str | None
    details: PersonDetails
    active: bool
    given_name: str | None
    family_name: str | None
    title: str | None
    department: str | None


def _email(resource: ScimUserResource) -> str | None:
    """The primary address, else the work one, else the first, else a userName that is one."""
    emails = [e for e in resource.emails or () if e.value]
    for choose in (
        lambda e: e.primary,
        lambda e: e.type == Email.Type.work,
        lambda e: True,
    ):
        chosen = next((e for e in emails if choose(e)), None)
        if chosen is not None:
            return str(chosen.value)
    if resource.user_name and "@" in resource.user_name:
        return resource.user_name
    return None


def _name(resource: ScimUserResource) -> str | None:
    if resource.display_name and resource.display_name.strip():
        return resource.display_name.strip()
    name = resource.name
    if name is not None:
        if name.formatted and name.formatted.strip():
            return name.formatted.strip()
        joined = " ".join(p.strip() for p in (name.given_name, name.family_name) if p and p.strip())
        if joined:
            return joined
    return resource.user_name


def user_attributes(resource: ScimUserResource) -> UserAttributes:
    enterprise = resource[EnterpriseUser] if resource[EnterpriseUser] is not None else None
    language = language_from_tag(resource.preferred_language) or language_from_tag(resource.locale)
    details = PersonDetails(
        email=_email(resource),
        name=_name(resource),
        profession=profession_from_title(resource.title),
        preferred_language=language,
        employee_number=(enterprise.employee_number or "") if enterprise else "",
    )
    return UserAttributes(
        user_name=resource.user_name or "",
        external_id=resource.external_id,
        details=details,
        active=True if resource.active is None else bool(resource.active),
        given_name=resource.name.given_name if resource.name else None,
        family_name=resource.name.family_name if resource.name else None,
        title=resource.title,
        department=enterprise.department if enterprise else None,
    )


def member_ids(members: Iterable[GroupMember] | None) -> list[str]:
    return [str(m.value) for m in members or () if m.value is not None]


def discovery_documents() -> Mapping[str, object]:
    return {
        "schemas": PROVIDER.schemas,
        "resource_types": PROVIDER.resource_types,
        "config": PROVIDER.config,
    }
