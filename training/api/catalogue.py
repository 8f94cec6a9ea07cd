"""The JSON API of the public course catalogue: published courses, no sign-in."""

from litestar import Controller, get
from sqlalchemy.ext.asyncio import AsyncSession

from training.schemas.catalogue import CatalogueCourse, CatalogueCourseDetail
from training.services import catalogue


class CatalogueApi(Controller):
    path = "/api/v1/catalogue"
    tags = ["Catalogue"]

    @get("/")
    async def list_courses(self, db: AsyncSession) -> list[CatalogueCourse]:
        """Every published course (its latest version); public, no sign-in."""
        return await catalogue.list_catalogue(db)

    @get("/{code:str}")
    async def get_course(self, db: AsyncSession, code: str) -> CatalogueCourseDetail:
        """The latest published version of a course: modules, competencies by domain, completion rules."""
        return await catalogue.get_catalogue_course(db, code)
