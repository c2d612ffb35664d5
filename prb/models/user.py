"""People who sign in, and the roles they hold."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from prb.extensions import db
from prb.models.reference import Entity, WorkingGroup, working_group_chairs
from prb.models.types import UTCDateTime, utcnow
from workflows import Role


@lru_cache(maxsize=256)
def _roles_named(names: str) -> frozenset[Role]:
    """Roles from their names, comma-separated (the few combinations an office has, parsed
    once per worker: `has_role` is asked dozens of times a page)."""
    return frozenset(Role(name) for name in names.split(",") if name)


@lru_cache(maxsize=1024)
def _ids_listed(ids: str) -> frozenset[int]:
    return frozenset(int(i) for i in ids.split(",") if i)


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # No longer read nor written: the Board chair is the seat marked chair
    # (`BoardMembership.is_chair`) on a given date. Migration 0008 made the seats from it; a
    # later migration can drop the column.
    is_board_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the session's user id: raising it ends every session of this user.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step sign-in: the TOTP secret (base32) once the user has confirmed a first code.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step accepted, so that one code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    entity: Mapped[Entity] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    chaired_groups: Mapped[list[WorkingGroup]] = relationship(
        secondary=working_group_chairs, back_populates="chairs", lazy="selectin"
    )
    # Her unread notifications, counted in the statement that loads the signed-in user (the
    # header shows it on every page); None where a user was loaded without it.
    unread_notifications: Mapped[int | None] = query_expression()
    # Her role names and chaired groups' ids, comma-separated, read by that same statement
    # as two columns: hydrating the rows as objects was ~40 % of loading her on every page.
    # None where a user was loaded without them; the relationships answer then.
    role_names_read: Mapped[str | None] = query_expression()
    chaired_group_ids_read: Mapped[str | None] = query_expression()

    def get_id(self) -> str:
        """Flask-Login keeps this in the session; a stale version signs the session out."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        # Her rows, once loaded (set_roles loads them), are newer than what was read with her.
        if self.role_names_read is not None and "role_rows" not in self.__dict__:
            return _roles_named(self.role_names_read)
        return frozenset(Role(r.role) for r in self.role_rows)

    def set_roles(self, roles: set[Role]) -> None:
        keep = {str(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if r.role in keep] + [
            UserRole(role=r) for r in sorted(keep - {r.role for r in self.role_rows})
        ]

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def chaired_group_ids(self) -> frozenset[int]:
        if self.chaired_group_ids_read is not None and "chaired_groups" not in self.__dict__:
            return _ids_listed(self.chaired_group_ids_read)
        return frozenset(g.id for g in self.chaired_groups)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    @property
    def password_set(self) -> bool:
        """False until the owner sets her password through her one-time link."""
        return "$" in (self.password_hash or "")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.name
