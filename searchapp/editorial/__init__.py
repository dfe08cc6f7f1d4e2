"""For the site's editors: the private query log and the coverage report built on it.

    web and API searches -> querylog.QueryLog (daily counts, nothing personal)
    index + query log    -> coverage.coverage_report -> /editor, `scisearch coverage`
"""

from __future__ import annotations

from searchapp.editorial.coverage import CoverageReport, TopicRow, UnknownQuery, coverage_report
from searchapp.editorial.querylog import QueryLog, QueryLogError, normalise

__all__ = ["CoverageReport", "QueryLog", "QueryLogError", "TopicRow", "UnknownQuery",
           "coverage_report", "normalise"]
