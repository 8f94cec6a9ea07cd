"""The public course catalogue: published courses for anyone, no sign-in, light enough for a phone."""

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from training.schemas.catalogue import CatalogueCourse, CatalogueCourseDetail
from training.services import catalogue


class CatalogueController(Controller):
    path = "/catalogue"
    include_in_schema = False

    @get("/")
    async def list_courses(self, db: AsyncSession) -> Template:
        return Template(
            "courses/catalogue/list.html", context={"courses": await catalogue.list_catalogue(db)}
        )

    @get("/{code:str}")
    async def show_course(self, db: AsyncSession, code: str) -> Template:
        course = await catalogue.get_catalogue_course(db, code)
        return Template("courses/catalogue/course.html", context={"course": course})


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
