"""Numbers in the notebooks' prose are checked, not typed (issue 16).

Every number in a markdown cell (integers >= 10 and every decimal) must be
(a) printed by a code cell of the same notebook — the prose may round it:
    the prose number equals an output number rounded to the prose's decimals,
(b) a published figure (any number in notebooks/data/published/*.json), or
(c) inside a phrase listed in `PROSE_NUMBERS` of notebooks/build.py (the
    phrase as the prose writes it → the reason the number is typed), so
    that an allowed cut-off ".08" does not also excuse a result ".08".
Skipped: LaTeX ($…$), link targets, inline code, HTML tags, notebook and part
numbering ("01 ·", "Part 1", "notebook 06"), years in citations and the
exercise headings. Signs are ignored (prose writes "negative, −.12" as often
as "−.12"); a stale number is a stale magnitude.

Standard library only: used by tests/notebooks/test_prose_numbers.py.
"""
import json
import re
from pathlib import Path

# A number as prose and outputs print it: 3184, 3,184, 0.567, .567, 1.2e-5.
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d*\.\d+|\d+)(?:[eE]([-+−]?\d+))?(?![\d])")

# What is not a claim about a result (removed from the prose before reading numbers).
SKIPPED = [
    re.compile(r"\$\$.*?\$\$", re.S),  # display LaTeX
    re.compile(r"(?<!\\)\$.*?(?<!\\)\$", re.S),  # inline LaTeX
    re.compile(r"```.*?```", re.S),  # code blocks
    re.compile(r"`[^`]*`"),  # inline code: names of code, not results
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<[^>]*>"),  # HTML tags and their attributes
    re.compile(r"\*\*Exercise \d+\.\*\*"),  # exercise headings
    re.compile(r"^#+ *\d{2} ·", re.M),  # notebook titles "# 06 · SEM"
    re.compile(r"\[\d{2} · "),  # links between notebooks "[05 · Correlation]"
    re.compile(r"\b0\d-[a-z]+"),  # notebook names "06-sem"
    re.compile(r"\b\d+\.\d+\.\d+\b"),  # versions "lavaan 0.6.14"
    re.compile(r"\b(?:[Nn]otebooks?|[Pp]arts?|[Ss]teps?|[Cc]ells?|[Ss]ections?|[Ee]xercises?) \d+(?:(?:,| and| or|–|-) ?\d+)*"),
    # Years in citations: "Kline (2016)", "Kline, 2016", "et al. 2019".
    re.compile(r"(?:[A-Z][a-z]+|et al\.)[,]? \(?(?:19|20)\d{2}[a-z]?\)?"),
    re.compile(r"\((?:[^()]*?[,;] )?(?:19|20)\d{2}[a-z]?\)"),
]


def prose(markdown):
    """The markdown with the skipped parts blanked out: same length and line
    breaks, so that a number's position is its position in the markdown."""
    for pattern in SKIPPED:
        markdown = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), markdown)
    return markdown


def parse(match):
    """(value, decimals) of a NUMBER match."""
    digits, exponent = match.group(1).replace(",", ""), match.group(2)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = float(digits)
    if exponent:
        value *= 10.0 ** int(exponent.replace("−", "-"))
        decimals = None  # compared as a value, not a rounding
    return value, decimals


def numbers(text):
    return [parse(m) for m in NUMBER.finditer(text)]


def claimed(markdown, allowed=()):
    """The numbers a markdown cell states: [(text, value, decimals, sentence)],
    less those inside an occurrence of an `allowed` phrase."""
    text = prose(markdown)
    excused = [
        m.span()
        for phrase in allowed
        for m in re.finditer(r"\s+".join(map(re.escape, phrase.split())), markdown)
    ]
    found = []
    for m in NUMBER.finditer(text):
        value, decimals = parse(m)
        if decimals == 0 and value < 10:
            continue
        if any(start <= m.start() and m.end() <= end for start, end in excused):
            continue
        start = max(text.rfind(". ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        ends = [i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i >= 0]
        sentence = " ".join(markdown[start : min(ends) + 1 if ends else len(markdown)].split())
        found.append((m.group(0), value, decimals, sentence))
    return found


def output_text(cell):
    """Everything a code cell printed: stream text, text/plain and text/html
    (tags removed, so that attributes are not read as results)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(join(output.get("text", "")))
        data = output.get("data", {})
        if "text/plain" in data:
            parts.append(join(data["text/plain"]))
        if "text/html" in data:
            html = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", join(data["text/html"]), flags=re.S)
            parts.append(re.sub(r"<[^>]*>", " ", html).replace("&minus;", "-"))
    return "\n".join(parts)


def join(source):
    return "".join(source) if isinstance(source, list) else source


def published_numbers(directory):
    """Every number in the claims JSON (values are transcribed as printed)."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, bool):
            return
        elif isinstance(node, (int, float)):
            found.add(abs(float(node)))
        elif isinstance(node, str):
            found.update(value for value, _ in numbers(node))

    for path in sorted(Path(directory).glob("*.json")):
        walk(json.loads(path.read_text()))
    return found


def matches(value, decimals, candidates):
    """`value` as printed with `decimals` is one of `candidates` rounded so
    (half a unit in the last place either way, so that ties pass)."""
    if decimals is None:
        return any(abs(c - value) <= 1e-9 * max(1.0, abs(value)) for c in candidates)
    half = 0.5 * 10.0**-decimals * (1 + 1e-9)
    return any(abs(c - value) <= half for c in candidates)


def unchecked(name, nb, published, allowed):
    """The prose numbers of notebook `nb` (parsed JSON) that no output, no
    published figure and no allowed phrase accounts for, as messages naming
    the cell, the number and its sentence."""
    cells = nb["cells"]
    printed = {abs(v) for c in cells if c["cell_type"] == "code" for v, _ in numbers(output_text(c))}
    problems = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for text, value, decimals, sentence in claimed(join(cell["source"]), allowed):
            if matches(value, decimals, printed) or matches(value, decimals, published):
                continue
            problems.append(
                f"{name}, cell {index} (id {cell.get('id', '?')}): {text} is printed by no code cell, "
                f"is no published figure and is in no phrase of PROSE_NUMBERS — in: “{sentence}”"
            )
    return problems


def unused(markdown, allowed):
    """The allowed phrases that the prose `markdown` no longer contains."""
    return [p for p in allowed if not re.search(r"\s+".join(map(re.escape, p.split())), markdown)]
