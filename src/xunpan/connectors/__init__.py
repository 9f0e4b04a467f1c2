"""API connectors that pull platform reports into the landing zone as the same kinds as file imports."""

from xunpan.connectors.baidu import BaiduSearchAdsConnector, BaiduTongjiConnector
from xunpan.connectors.base import (
    ApiError,
    Connector,
    Credentials,
    Cursor,
    HttpClient,
    PullResult,
    RetryPolicy,
    Window,
    credentials_from_connection,
)

__all__ = [
    "ApiError",
    "BaiduSearchAdsConnector",
    "BaiduTongjiConnector",
    "Connector",
    "Credentials",
    "Cursor",
    "HttpClient",
    "PullResult",
    "RetryPolicy",
    "Window",
    "credentials_from_connection",
]
