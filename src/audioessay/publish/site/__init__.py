"""The static show site (`audioessay site`)."""

from audioessay.publish.site.builder import SiteResult, build_site

__all__ = ["SiteResult", "build_site"]
