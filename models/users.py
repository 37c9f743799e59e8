"""Store stage: the people who use Netral (admins, reviewers, viewers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UserRole, UTCDateTime, created_timestamp, intpk, value_enum


class User(Base):
    """A login. The password is stored only as an argon2/scrypt hash."""

    __tablename__ = "app_user"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(value_enum(UserRole, 16))
    locale: Mapped[str] = mapped_column(String(8), default="id", comment="UI language: id or en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_timestamp]
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
