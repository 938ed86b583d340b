"""Issue 26: the e-mail and URL rules stay linear on long runs of address characters."""

import time

import pytest

from audioessay.text.latin import read_urls


@pytest.mark.parametrize("run", ["-" * 300_000, "a." * 150_000, "a-" * 150_000, "a@" * 150_000])
def test_long_runs_are_quick(run: str) -> None:
    start = time.perf_counter()
    read_urls(run)
    assert time.perf_counter() - start < 2.0  # was 15 s and more (quadratic)


@pytest.mark.parametrize(("written", "spoken"), [
    ("문의는 help@daum.net 으로", "문의는 헬프 골뱅이 다음 닷넷 으로"),  # issue 26 family 1: a mailbox word is read
    ("끝...naver.com 참고", "끝...네이버 닷컴 참고"),
    ("소식은 news.kr 에서", "소식은 뉴스 닷 케이알 에서"),
])
def test_addresses_still_read(written: str, spoken: str) -> None:
    assert read_urls(written) == spoken
