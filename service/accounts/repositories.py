from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.models import Builder, User

__all__ = ["BuilderRepository"]


class BuilderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, builder_id: uuid.UUID) -> Builder | None:
        return self.session.get(Builder, builder_id)

    def by_slug(self, slug: str) -> Builder | None:
        return self.session.scalars(select(Builder).where(Builder.slug == slug)).first()

    def add(self, builder: Builder) -> Builder:
        self.session.add(builder)
        self.session.flush()
        return builder

    def add_user(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def user_by_email(self, email: str) -> User | None:
        return self.session.scalars(select(User).where(User.email == email)).first()
