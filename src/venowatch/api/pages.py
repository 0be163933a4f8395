"""Page numbers and sizes with upper bounds: an offset past what a 64-bit database integer holds
would otherwise reach the database and fail there."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from venowatch.services.care.reads import listed

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        """The page, cut; the patients it shows (a list of patients or of their tasks) are
        logged as read, as the worklist's page is (services.care.reads.listed)."""
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = page[self.items_attribute] = list(page[self.items_attribute])
        listed(request.user, items)
        return page
