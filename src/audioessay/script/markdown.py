"""A Markdown post read directly as a script document (`audioessay render post.md`).

Front matter keys stay as written, except the usual blog keys (BLOG_KEYS), which are
ignored; any other key is left to the validator, so a typo such as `auther:` is
reported with its .md line. The title and sections come from the headings (essay.py),
the text reduced to what is heard. Every node's line is its line in the .md file, so
the usual validation points into the post.
"""

from __future__ import annotations

from audioessay.config import yamlsource
from audioessay.errors import InputError, Problem
from audioessay.script import essay, frontmatter

SUFFIXES = (".md", ".markdown")


def markdown_document(text: str, filename: str) -> yamlsource.Located:
    """A Markdown post as a script document: front matter keys as written, title and
    sections from the headings, text reduced to what is heard; every node's line is
    its line in the .md file. Raises InputError for broken front matter."""
    fm, body, body_line = frontmatter.load(text, filename)
    doc = fm or yamlsource.Located({})
    front = doc.value
    assert isinstance(front, dict)  # frontmatter.load refuses anything else
    value: dict = {k: v for k, v in front.items() if k not in frontmatter.BLOG_KEYS}
    for alias in frontmatter.DESCRIPTION_ALIASES:
        if alias in front and "description" not in value:
            value["description"] = front[alias]
            doc.lines[("description",)] = doc.lines.get((alias,), 1)
    if "date" in value:
        value["date"] = frontmatter.date_value(value["date"])
    lines = essay.read_lines(body, body_line, markdown=True)
    if "sections" in value:
        if any(x.kind != "blank" for x in lines):
            raise InputError([Problem(filename, doc.key_lines.get(("sections",)), "sections",
                                      "the headings of the post make the sections; remove sections: "
                                      "from the front matter")])
        doc.value = value
        return doc
    read = essay.structure(lines, title=frontmatter.title(value), title_line=doc.line(("title",)) or 1,
                           filename=filename)
    if value.get("title") is None:  # a title that is there but wrong is the validator's to report
        value["title"] = read.title
        doc.lines[("title",)] = read.title_line
    value["sections"] = [{"title": s.title, "text": s.text} for s in read.sections]
    doc.lines[()] = 1
    doc.lines[("sections",)] = read.sections[0].title_line if read.sections else body_line
    for i, s in enumerate(read.sections):
        doc.lines[("sections", i)] = doc.lines[("sections", i, "title")] = s.title_line
        doc.lines[("sections", i, "text")] = s.text_line or s.title_line
    doc.value = value
    return doc
