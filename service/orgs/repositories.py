from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.api_keys.repositories import key_queries
from service.orgs.models import Organisation, OrgApiKey

__all__ = ["ORG_KEYS", "OrgRepository"]

#: An organisation's keys, read as the API shows them (the columns of a builder's keys).
ORG_KEYS = key_queries(OrgApiKey.__table__.c, "org_id")


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

    def key(self, org_id: uuid.UUID, key_id: uuid.UUID) -> OrgApiKey | None:
        return self.session.scalars(select(OrgApiKey).where(OrgApiKey.org_id == org_id, OrgApiKey.id == key_id)).first()
