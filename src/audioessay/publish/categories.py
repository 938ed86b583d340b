"""Apple Podcasts categories, and the check of a show's `category` that says what was meant.

The list is the one Apple's podcast RSS guide accepts since 2019; the check turns
`category` into (category, subcategory), or names the nearest valid ones."""

from __future__ import annotations

import difflib

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion",
                                "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# every valid spelling a show file may use: "Arts" and "Arts/Books"
NAMES: tuple[str, ...] = tuple(
    name for parent, children in CATEGORIES.items() for name in (parent, *(f"{parent}/{c}" for c in children))
)


def parse_category(value: str) -> tuple[str, str | None]:
    """"Arts/Books" -> ("Arts", "Books"); "Arts" -> ("Arts", None). ValueError naming the
    nearest valid names when Apple would not accept it."""
    parent, _, child = (part.strip() for part in value.partition("/"))
    name = f"{parent}/{child}" if child else parent
    if name in NAMES:
        return parent, child or None
    raise ValueError(f"{value!r} is not an Apple Podcasts category; {_suggest(name)}")


def _suggest(name: str) -> str:
    folded = {n.casefold(): n for n in NAMES}
    # a bare subcategory ("Books") matches its full name; otherwise compare spellings
    by_child = [n for n in NAMES if n.casefold().endswith("/" + name.casefold())]
    close = by_child or [folded[m] for m in difflib.get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.5)]
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "use one of: " + ", ".join(CATEGORIES) + " (or Parent/Subcategory such as 'Arts/Books')"
