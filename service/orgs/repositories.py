from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.orgs.models import Organisation, OrgApiKey

__all__ = ["OrgRepository"]


class OrgRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_slug(self, slug: str) -> Organisation | None:
        return self.session.scalars(select(Organisation).where(Organisation.slug == slug)).first()

    def add(self, org: Organisation) -> Organisation:
        self.session.add(org)
        self.session.flush()
        return org

    def add_key(self, key: OrgApiKey) -> OrgApiKey:
        self.session.add(key)
        self.session.flush()
        return key

    def key_by_hash(self, key_hash: str) -> OrgApiKey | None:
        return self.session.scalars(select(OrgApiKey).where(OrgApiKey.key_hash == key_hash)).first()
