"""What a SCIM request does to pdservice's people, units and roles.

Every change of a person goes through `pdservice.accounts` (the same services as the admin's
form and the CSV import); deactivation signs the person out everywhere. Group memberships are
kept as the provider sends them, and a group mapped to a unit or a role gives its members that
place: for each (person, unit) touched by a change, the person's role in the unit becomes the
highest their groups give (principal over staff), or none; HR and administrator rights
likewise. Units and roles no group maps are left as they are (set by hand or by CSV import).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from scim2_models import (
    ConflictException,
    Group,
    InvalidValueException,
    NotFoundException,
    PatchOp,
    UniquenessException,
)

from pdservice.accounts.services import (
    AccountError,
    create_person,
    set_active,
    set_division_role,
    set_unit_role,
    update_person,
)
from pdservice.core.enums import Role, UnitRole
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.core.services import audit, find_user_by_email
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.scim.models import ScimGroup, ScimGroupMember, ScimUser
from pdservice.scim.resources import (
    POLICY,
    GroupPatch,
    ScimUserResource,
    UserAttributes,
    member_ids,
    user_attributes,
)

SOURCE = "scim"


def scim_error(exc: AccountError) -> Exception:
    """The SCIM error of a change the accounts service refused."""
    if exc.conflict and exc.field in ("email", "employee_number"):
        return UniquenessException(detail=str(exc))
    if exc.conflict:
        return ConflictException(detail=str(exc))
    return InvalidValueException(detail=f"{exc.field}: {exc}" if exc.field else str(exc))


# --- people ---------------------------------------------------------------------------------


def find_person(user_id: str) -> tuple[User, ScimUser | None]:
    """The person a resource id names; NotFound for unknown ids and ended provisioning."""
    if not user_id.isdigit() or len(user_id) > 18:
        raise NotFoundException(detail=f"no User {user_id}")
    person = db.session.get(User, int(user_id))
    if person is None:
        raise NotFoundException(detail=f"no User {user_id}")
    scim = db.session.get(ScimUser, person.id)
    if scim is not None and scim.deleted_at is not None:
        raise NotFoundException(detail=f"no User {user_id} (deleted)")
    return person, scim


def _user_name_owner(key: str) -> ScimUser | None:
    return db.session.scalar(sa.select(ScimUser).where(ScimUser.user_name_key == key))


def create_user(resource: ScimUserResource) -> tuple[User, ScimUser]:
    """POST /Users. A person already here with the address, not provisioned under another
    userName (created by hand, by CSV import, or provisioned and deleted), is taken over."""
    attributes = user_attributes(resource)
    key = attributes.user_name.lower()
    if not attributes.details.email:
        raise InvalidValueException(
            detail="a User needs an e-mail address: in emails, or a userName that is one"
        )
    owner = _user_name_owner(key)
    if owner is not None and owner.deleted_at is None:
        raise UniquenessException(detail=f"userName {attributes.user_name} is taken")
    person = find_user_by_email(attributes.details.email)
    if person is not None:
        scim = db.session.get(ScimUser, person.id)
        if scim is not None and scim.deleted_at is None:
            raise UniquenessException(
                detail=f"{attributes.details.email} is provisioned as {scim.user_name}"
            )
    if owner is not None and (person is None or owner.user_id != person.id):
        db.session.delete(owner)  # a deleted resource's userName, free again
        db.session.flush()
    if person is None:
        person = create_person(attributes.details, source=SOURCE)
    else:
        update_person(person, attributes.details, source=SOURCE)
        audit("scim.user_linked", person, changes={"user_name": attributes.user_name})
    scim = db.session.get(ScimUser, person.id)
    if scim is None:
        scim = ScimUser(user_id=person.id, created_at=utcnow())
        db.session.add(scim)
    scim.deleted_at = None
    _store(scim, attributes)
    _set_active(person, attributes.active)
    db.session.flush()
    return person, scim


def replace_user(person: User, scim: ScimUser | None, resource: ScimUserResource) -> ScimUser:
    """PUT /Users/{id}, and the end of every PATCH: the person becomes what the resource says."""
    attributes = user_attributes(resource)
    key = attributes.user_name.lower()
    owner = _user_name_owner(key)
    if owner is not None and owner.user_id != person.id:
        if owner.deleted_at is None:
            raise UniquenessException(detail=f"userName {attributes.user_name} is taken")
        db.session.delete(owner)
        db.session.flush()
    if not attributes.details.email:
        attributes.details.email = person.email
    update_person(person, attributes.details, source=SOURCE)
    if scim is None:
        scim = ScimUser(user_id=person.id, created_at=utcnow())
        db.session.add(scim)
        audit("scim.user_linked", person, changes={"user_name": attributes.user_name})
    _store(scim, attributes)
    _set_active(person, attributes.active)
    db.session.flush()
    return scim


def patch_user(
    person: User, scim: ScimUser | None, patch: PatchOp, current: ScimUserResource
) -> ScimUser | None:
    """PATCH /Users/{id}: the operations applied (by scim2-models) to the resource as it is,
    then the result stored as a PUT would. None when nothing changed."""
    if not patch.patch(current, scim_policy=POLICY):
        return scim
    return replace_user(person, scim, current)


def delete_user(person: User, scim: ScimUser | None) -> None:
    """DELETE /Users/{id}: provisioning ends. The person is deactivated (and signed out) and
    leaves the provider's groups; what they did stays for the city's records, and an
    administrator may erase them later. The resource answers 404 from now on."""
    _set_active(person, False)
    groups = list(
        db.session.scalars(
            sa.select(ScimGroupMember.group_id).where(ScimGroupMember.user_id == person.id)
        )
    )
    db.session.execute(sa.delete(ScimGroupMember).where(ScimGroupMember.user_id == person.id))
    if scim is None:
        scim = ScimUser(
            user_id=person.id,
            user_name=person.email,
            user_name_key=person.email.lower(),
            created_at=utcnow(),
        )
        db.session.add(scim)
    scim.deleted_at = utcnow()
    scim.updated_at = scim.deleted_at
    audit("scim.user_deleted", person, changes={"groups_left": len(groups)})
    db.session.flush()


def _store(scim: ScimUser, attributes: UserAttributes) -> None:
    scim.user_name = attributes.user_name
    scim.user_name_key = attributes.user_name.lower()
    scim.external_id = attributes.external_id
    scim.given_name = attributes.given_name
    scim.family_name = attributes.family_name
    scim.title = attributes.title
    scim.department = attributes.department
    scim.updated_at = utcnow()


def _set_active(person: User, active: bool) -> None:
    if person.active != active:
        set_active(person, active, source=SOURCE)


# --- groups ---------------------------------------------------------------------------------


def find_group(group_id: str) -> ScimGroup:
    if not group_id.isdigit() or len(group_id) > 18:
        raise NotFoundException(detail=f"no Group {group_id}")
    group = db.session.get(ScimGroup, int(group_id))
    if group is None:
        raise NotFoundException(detail=f"no Group {group_id}")
    return group


def default_mapping(display_name: str) -> tuple[Unit | None, Role | None]:
    """How a new group is mapped: by `SCIM_GROUP_MAP` (display name -> `unit-code`,
    `unit-code:principal`, `hr` or `admin`), else a group named like a unit's code stands
    for the unit's staff; other groups are unmapped until an administrator maps them."""
    target = current_app.config.get("SCIM_GROUP_MAP", {}).get(display_name)
    if target in ("hr", "admin"):
        return None, Role(target)
    code, _sep, role = (target or display_name).partition(":")
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code.strip().lower()))
    if unit is None:
        if target:
            current_app.logger.warning(
                "SCIM group %r: SCIM_GROUP_MAP names unit %r, which does not exist",
                display_name,
                code,
            )
        return None, None
    return unit, Role.PRINCIPAL if role == "principal" else Role.TEACHER


def create_group(resource: Group) -> ScimGroup:
    display_name = (resource.display_name or "").strip()
    if not display_name:
        raise InvalidValueException(detail="a Group needs a displayName")
    unit, role = default_mapping(display_name)
    now = utcnow()
    group = ScimGroup(
        display_name=display_name,
        external_id=resource.external_id,
        unit_id=unit.id if unit else None,
        role=role,
        created_at=now,
        updated_at=now,
    )
    db.session.add(group)
    db.session.flush()
    audit(
        "scim.group_created",
        group,
        unit_id=group.unit_id,
        changes={"display_name": display_name, "role": role},
    )
    add_members(group, _people(member_ids(resource.members)))
    return group


def replace_group(group: ScimGroup, resource: Group) -> None:
    display_name = (resource.display_name or "").strip()
    if not display_name:
        raise InvalidValueException(detail="a Group needs a displayName")
    _rename(group, display_name, resource.external_id)
    wanted = {p.id for p in _people(member_ids(resource.members))}
    current = set(_member_ids(group))
    remove_members(group, current - wanted)
    add_members(group, [db.session.get(User, i) for i in wanted - current])


def patch_group(group: ScimGroup, patch: GroupPatch) -> None:
    """PATCH /Groups/{id}. Member operations are applied in the database, without loading a
    large group's members; the others (displayName, externalId) by scim2-models."""
    for operation in patch.operations:
        op = operation.op.value
        path = operation.path
        value = operation.value
        if path is None and isinstance(value, dict) and "members" in value:
            value = dict(value)
            members = value.pop("members")
            _members_operation(group, op, None, members)
            if value:
                _attributes_operation(group, op, None, value)
        elif path is not None and path.attr == "members":
            _members_operation(group, op, path, value)
        else:
            _attributes_operation(group, op, path, value)
    group.updated_at = utcnow()
    db.session.flush()


def _attributes_operation(group: ScimGroup, op: str, path, value) -> None:
    current = Group(
        id=str(group.id), display_name=group.display_name, external_id=group.external_id
    )
    single = GroupPatch.model_validate(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": op, **({"path": str(path)} if path else {}), "value": value}],
        },
        scim_policy=POLICY,
    )
    single.patch(current, scim_policy=POLICY)
    if not (current.display_name or "").strip():
        raise InvalidValueException(detail="a Group needs a displayName")
    _rename(group, current.display_name.strip(), current.external_id)


def _rename(group: ScimGroup, display_name: str, external_id: str | None) -> None:
    if display_name != group.display_name:
        audit(
            "scim.group_updated",
            group,
            unit_id=group.unit_id,
            changes={"display_name": [group.display_name, display_name]},
        )
        group.display_name = display_name
    group.external_id = external_id


def _members_operation(group: ScimGroup, op: str, path, value) -> None:
    selected = _selected_members(path)
    if op == "add":
        add_members(group, _people(_values(value)))
    elif op == "remove":
        if selected is not None:
            remove_members(group, selected)
        elif value:
            # Entra ID names the members to remove in the value (see resources.POLICY).
            remove_members(group, {p.id for p in _people(_values(value), strict=False)})
        else:
            remove_members(group, set(_member_ids(group)))
    elif op == "replace":
        if selected is not None:
            raise InvalidValueException(detail="replace a member by removing and adding")
        wanted = {p.id for p in _people(_values(value))}
        current = set(_member_ids(group))
        remove_members(group, current - wanted)
        add_members(group, [db.session.get(User, i) for i in wanted - current])


def _selected_members(path) -> set[int] | None:
    """The ids a `members[value eq "..."]` path selects (`or` of such comparisons too);
    None for a plain `members` path."""
    if path is None or path.value_filter is None:
        return None
    ids: set[int] = set()
    for comparison in _comparisons(path.ast.val_filter):
        attr = comparison.attr_path.attr
        if attr != "value" or comparison.op.value != "eq":
            raise InvalidValueException(detail=f"unsupported member filter {path}")
        if str(comparison.value).isdigit():
            ids.add(int(comparison.value))
    return ids


def _comparisons(node) -> Iterable:
    terms = getattr(node, "terms", None)
    if terms is not None:
        if node.op.value != "or":
            raise InvalidValueException(detail="member filters may only be joined by or")
        for term in terms:
            yield from _comparisons(term)
    else:
        yield node


def _values(value) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    ids = []
    for item in items:
        raw = item.get("value") if isinstance(item, dict) else getattr(item, "value", None)
        if raw is None:
            raise InvalidValueException(detail="a member needs a value (the User's id)")
        ids.append(str(raw))
    return ids


def _people(ids: Iterable[str], *, strict: bool = True) -> list[User]:
    """The people named by resource ids; an unknown id is invalidValue (nothing changes)."""
    wanted = {int(i) for i in ids if str(i).isdigit() and len(str(i)) <= 18}
    unknown = sorted(str(i) for i in ids if not (str(i).isdigit() and len(str(i)) <= 18))
    people = list(db.session.scalars(sa.select(User).where(User.id.in_(wanted)))) if wanted else []
    found = {p.id for p in people}
    unknown += sorted(str(i) for i in wanted - found)
    deleted = (
        set(
            db.session.scalars(
                sa.select(ScimUser.user_id).where(
                    ScimUser.user_id.in_(found), ScimUser.deleted_at.is_not(None)
                )
            )
        )
        if found
        else set()
    )
    unknown += sorted(str(i) for i in deleted)
    if unknown and strict:
        raise InvalidValueException(detail=f"no User {', '.join(unknown)}")
    return [p for p in people if p.id not in deleted]


def _member_ids(group: ScimGroup) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ScimGroupMember.user_id).where(ScimGroupMember.group_id == group.id)
        )
    )


def add_members(group: ScimGroup, people: Iterable[User]) -> None:
    people = [p for p in people if p is not None]
    if not people:
        return
    present = set(
        db.session.scalars(
            sa.select(ScimGroupMember.user_id).where(
                ScimGroupMember.group_id == group.id,
                ScimGroupMember.user_id.in_([p.id for p in people]),
            )
        )
    )
    new = [p for p in people if p.id not in present]
    for person in new:
        db.session.add(ScimGroupMember(group_id=group.id, user_id=person.id))
    if new:
        db.session.flush()
        audit(
            "scim.group_members_added",
            group,
            unit_id=group.unit_id,
            changes={"members": [p.id for p in new]},
        )
        apply_group_places([p.id for p in new], group)


def remove_members(group: ScimGroup, user_ids: set[int]) -> None:
    if not user_ids:
        return
    result = db.session.execute(
        sa.delete(ScimGroupMember).where(
            ScimGroupMember.group_id == group.id, ScimGroupMember.user_id.in_(user_ids)
        ),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount:
        audit(
            "scim.group_members_removed",
            group,
            unit_id=group.unit_id,
            changes={"members": sorted(user_ids)},
        )
        apply_group_places(sorted(user_ids), group)


def delete_group(group: ScimGroup) -> None:
    members = _member_ids(group)
    audit(
        "scim.group_deleted",
        group,
        unit_id=group.unit_id,
        changes={"display_name": group.display_name, "members": len(members)},
    )
    db.session.execute(sa.delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    places = (group.unit_id, group.role)
    db.session.delete(group)
    db.session.flush()
    _apply_places(members, [places])


def map_group(group: ScimGroup, unit: Unit | None, role: Role | None, *, source: str) -> None:
    """An administrator maps a group (or unmaps it: both None); its members' places follow."""
    before = (group.unit_id, group.role)
    after = (unit.id if unit else None, role)
    if before == after:
        return
    group.unit_id, group.role = after
    db.session.flush()
    audit(
        "scim.group_mapped",
        group,
        unit_id=after[0] or before[0],
        changes={"source": source, "unit": [before[0], after[0]], "role": [before[1], role]},
    )
    _apply_places(_member_ids(group), [before, after])


def apply_group_places(user_ids: list[int], group: ScimGroup) -> None:
    _apply_places(user_ids, [(group.unit_id, group.role)])


def _apply_places(user_ids: list[int], places: list[tuple[int | None, Role | None]]) -> None:
    """Set each person's role in the given places to what all their mapped groups say."""
    places = [p for p in places if p[1] is not None]
    if not user_ids or not places:
        return
    unit_ids = {unit_id for unit_id, _role in places if unit_id is not None}
    division = {role for unit_id, role in places if unit_id is None}
    rows = db.session.execute(
        sa.select(ScimGroupMember.user_id, ScimGroup.unit_id, ScimGroup.role)
        .join(ScimGroup, ScimGroup.id == ScimGroupMember.group_id)
        .where(ScimGroupMember.user_id.in_(user_ids), ScimGroup.role.is_not(None))
    ).all()
    given: dict[int, dict] = defaultdict(dict)
    for user_id, unit_id, role in rows:
        if unit_id is None:
            given[user_id][role] = True
        else:
            current = given[user_id].get(unit_id)
            if current != UnitRole.PRINCIPAL:
                given[user_id][unit_id] = (
                    UnitRole.PRINCIPAL if role == Role.PRINCIPAL else UnitRole.TEACHER
                )
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids)))}
    people = {p.id: p for p in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
    memberships = {
        (m.user_id, m.unit_id): m.role
        for m in db.session.scalars(
            sa.select(UnitMembership).where(
                UnitMembership.user_id.in_(user_ids), UnitMembership.unit_id.in_(unit_ids)
            )
        )
    }
    for user_id in user_ids:
        person = people[user_id]
        for unit_id in unit_ids:
            wanted = given[user_id].get(unit_id)
            if memberships.get((user_id, unit_id)) != wanted:
                set_unit_role(person, units[unit_id], wanted, source=SOURCE)
        for role in division:
            set_division_role(person, role, bool(given[user_id].get(role)), source=SOURCE)
