"""The static show site (`audioessay site`)."""

from audioessay.site.builder import SiteResult, build_site

__all__ = ["SiteResult", "build_site"]
