"""The API's pagination, in a module of its own: REST_FRAMEWORK names it in the settings, and DRF imports
it while loading its own views, so it may import nothing of DRF's views or of Charter's API modules."""

from rest_framework.pagination import LimitOffsetPagination


class PagePagination(LimitOffsetPagination):
    """Every list of the API: `?limit=` and `?offset=`, 50 a page unless asked, never more than 200 a page
    (a larger `limit` gets 200 and the `next` link), so no caller can ask for a whole table at once."""

    max_limit = 200
