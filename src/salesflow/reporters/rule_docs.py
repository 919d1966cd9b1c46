"""What each finding code means, in one line and in full: the rules of `validate --format sarif`.

Each code has a heading of its own under "Finding codes" in docs/validate.md, whose text is the
short and the full description below (tests/reporters/test_rule_docs.py keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass

# No public URL of the repository is known, so links are relative to the repository root
# (a SARIF consumer shows them as text; GitHub code scanning shows `help.text`).
HELP_PAGE = "docs/validate.md"
CODES_ANCHOR = "finding-codes"


@dataclass(frozen=True, slots=True)
class RuleDoc:
    short: str
    full: str


_PROCESS = {
    "unknown-key": RuleDoc(
        "Key the process format does not define",
        "A key the process format does not define, at any level. When a known key is close, "
        "the message suggests it (did you mean ...). Keys starting with x- are a team's own "
        "and allowed at the top level, in stages and in roles.",
    ),
    "missing-key": RuleDoc(
        "Required key missing",
        "A required key is absent: salesflow, name and stages at the top; id and name of a "
        "stage; id and title of a role; title and url of a resource; name of a written outcome. "
        "Reported at the mapping that lacks it.",
    ),
    "invalid-type": RuleDoc(
        "Value of the wrong kind",
        "A value of the wrong kind: a mapping where a list is expected, text (quoted numbers "
        "too) or true/false where a number is expected, true where text is expected, a number "
        "where a date is expected (effective: 20240101).",
    ),
    "invalid-value": RuleDoc(
        "Value not allowed",
        "A value of the right kind that is not allowed: empty text, an empty stages list, an "
        "id longer than 64 characters, a currency that is not three upper-case letters, a "
        "choice that is not one of those listed (such as a quota's per), an effective date "
        "not written YYYY-MM-DD, that does not exist, or outside the years 1900 to 2200.",
    ),
    "invalid-id": RuleDoc(
        "Id not well formed, or reserved",
        "An id (of a role or a stage, a stage's owner, a data.stage_dates key) that is not "
        "lower-case letters, digits, hyphens and underscores starting with a letter; or a "
        "stage id won or lost, which name the outcomes.",
    ),
    "out-of-range": RuleDoc(
        "Number out of range",
        "A number outside its range: expected.conversion and goals.win_rate not in (0, 1]; "
        "probability not in [0, 1]; expected.days not in [0, 36,500] (100 years); "
        "goals.cycle_days not in (0, 36,500]; assumptions.deal_size or a quota or revenue "
        "amount not in (0, 10^15], the bound of amounts in deal data; a data.rates rate not in "
        "(0, 10^9]; any of them infinite or NaN. A share written as a percentage (45 for 0.45) "
        "gets a hint.",
    ),
    "unsupported-version": RuleDoc(
        "Unsupported format version",
        "The salesflow key is not 1, the one version of the process format this salesflow "
        "reads. Reported alone: the rest of the file is not checked.",
    ),
    "duplicate-id": RuleDoc(
        "Id used twice",
        "In a process file, two stages or two roles with the same id. In deal data "
        "(validate --deals), a deal id on more than one row; the first row of each is used.",
    ),
    "unknown-owner": RuleDoc(
        "Stage owner is not a declared role",
        "A stage's owner must be the id of a role declared under roles.",
    ),
    "unknown-role": RuleDoc(
        "Team member's role is not a declared role",
        "A team member's role must be the id of a role declared under roles; a close one is "
        "suggested.",
    ),
    "duplicate-member": RuleDoc(
        "Team member listed twice",
        "A team member's name is listed more than once, compared as the deal data's owners are "
        "matched to the team: ignoring case, Unicode width and surrounding spaces.",
    ),
    "duplicate-alias": RuleDoc(
        "Label claimed twice",
        "A label (an id, name or alias) claimed by two different stages or outcomes, compared "
        "with Unicode case folding, so deal data could not tell them apart; or a stage name or "
        "alias won or lost, which name the outcomes.",
    ),
    "unknown-stage": RuleDoc(
        "Reference to an unknown stage",
        "A data.stage_dates key, or a stage under a qualification criterion's checked_by, that "
        "is not the id of a stage.",
    ),
    "unknown-exit-criterion": RuleDoc(
        "Qualification tied to an unknown exit criterion",
        "An exit criterion under a qualification criterion's checked_by that is not one of "
        "that stage's exit_criteria (compared ignoring case, runs of spaces and a final full "
        "stop); a close one is suggested.",
    ),
    "probability-order": RuleDoc(
        "Win probability drops at a later stage",
        "A stage's probability is lower than that of an earlier stage: a deal that advances "
        "should not become less likely to win. Stages without a probability are skipped. "
        "A warning.",
    ),
    "missing-exit-criteria": RuleDoc(
        "Stage without exit criteria",
        "A stage with no exit_criteria, or an empty list: reps cannot tell when a deal is done "
        "with the stage. A warning.",
    ),
}

_FILE = {
    "file-not-found": RuleDoc(
        "File not found", "The path does not exist, or is a directory. Nothing else is checked."
    ),
    "file-unreadable": RuleDoc(
        "File cannot be read",
        "The file exists but cannot be read (permission denied, an I/O error).",
    ),
    "file-too-large": RuleDoc(
        "File larger than 5 MB", "The file (or stdin) is larger than 5 MB and is not read."
    ),
    "not-utf8": RuleDoc(
        "File is not UTF-8 text",
        "The bytes are not valid UTF-8, or the file is binary (it has a NUL byte); the position "
        "of the first bad byte is given. A UTF-8 byte-order mark is accepted.",
    ),
    "yaml-syntax": RuleDoc(
        "Invalid YAML",
        "The file is not valid YAML: bad indentation, an unclosed bracket, a tab used for "
        "indentation, a second document after ---, a key that is not plain text, a merge (<<) "
        "of something other than a mapping. Nothing else is checked.",
    ),
    "duplicate-key": RuleDoc(
        "Key repeated in one mapping",
        "The same key twice in one mapping (two << merge keys too), reported at the second "
        "with the line of the first. Nothing else is checked.",
    ),
    "empty-file": RuleDoc(
        "Empty file",
        "The file holds no YAML document: it is empty, only comments, or a --- with nothing "
        "after it.",
    ),
    "not-a-mapping": RuleDoc(
        "Document is not a mapping",
        "The document is a list or a single value (null too) instead of a mapping of keys.",
    ),
    "alias-cycle": RuleDoc(
        "Alias that contains itself", "A YAML alias refers to a node that contains itself."
    ),
    "too-many-values": RuleDoc(
        "Document too large through aliases",
        "Through aliases, the document would expand to over 200,000 values or over 10 million "
        "characters of text (an alias bomb, billion laughs); refused before it is built, at the "
        "node that crosses the limit.",
    ),
    "too-deep": RuleDoc("Nesting too deep", "Mappings and lists nested deeper than 64 levels."),
}

_DATA = {
    "unmapped-label": RuleDoc(
        "Stage label that matches no stage",
        "A stage label in the deals or the stage history matches no stage id, name or alias, "
        "nor an outcome; each label is listed with its count, spellings that differ only in "
        "case counted together. Add each to a stage's aliases; analyze --unmapped ignore skips "
        "those rows.",
    ),
    "unmapped-lost-stage": RuleDoc(
        "Lost-stage label that matches no stage",
        "A lost-stage label matches no stage; analyze --unmapped ignore ignores that lost stage "
        "and places the deal by its other evidence.",
    ),
    "unmapped-status": RuleDoc(
        "Status that is neither won, lost nor open",
        "A status value that means neither won, lost nor open, listed with its count. Add it "
        "to the aliases of outcomes.won or outcomes.lost, to a stage's aliases (open there), or "
        "to data.ignore; analyze --unmapped ignore skips those deals.",
    ),
    "missing-id": RuleDoc(
        "Row without a deal id",
        "A row has an empty deal id. Read from a database, such rows are left out (a warning).",
    ),
    "bad-amount": RuleDoc(
        "Amount that is not a number",
        "An amount that cannot be read as a number. Currency symbols, thousands separators and "
        "a decimal comma are fine.",
    ),
    "amount-out-of-range": RuleDoc(
        "Amount that is not a finite number",
        "An amount that is infinite, NaN or beyond plus or minus 10^15: sums of such amounts "
        "are not numbers. The other commands refuse the data.",
    ),
    "ambiguous-amount": RuleDoc(
        "Amount that depends on the number format",
        "An amount such as 12.000 that is 12 or 12,000 by convention. Declare "
        "data.number_format in the process file or pass --number-format. The other commands "
        "refuse the data.",
    ),
    "unknown-currency": RuleDoc(
        "Amount in a currency with no rate",
        "An amount in a currency that is neither the process's currency nor in data.rates, "
        "listed with its row count. Add its rate to data.rates. The other commands refuse the "
        "data.",
    ),
    "currency-mismatch": RuleDoc(
        "Currency column and amount disagree",
        "The currency column names one currency and the amount's symbol or code another; "
        "correct one of them. A symbol several currencies write agrees with each of them "
        "($ with USD, CAD, AUD and the other dollars; ¥ with JPY and CNY). The other commands "
        "refuse the data.",
    ),
    "bad-date": RuleDoc(
        "Date that cannot be read",
        "A created, closed, stage or history date that its column's format (declared or "
        "detected) does not read.",
    ),
    "missing-stage": RuleDoc("Open deal without a stage", "An open deal with no stage label."),
    "won-without-amount": RuleDoc(
        "Won deal without an amount",
        "A won deal with no amount: revenue figures would be understated.",
    ),
    "closed-before-created": RuleDoc(
        "Deal closed before it was created",
        "A deal whose closed_at is earlier than its created_at.",
    ),
    "unknown-deal": RuleDoc(
        "History row of an unknown deal",
        "A stage-history row names a deal that is not in the deals file.",
    ),
    "dates-out-of-order": RuleDoc(
        "Stage entered after a later stage",
        "A deal entered a stage after a later stage (in wide stage dates or the history): those "
        "days in stage are not measured. A warning.",
    ),
    "lost-without-stage": RuleDoc(
        "Lost deal that shows no stage",
        "A lost deal shows no stage it was lost at (no lost stage, stage date or history); "
        "analyze counts it as lost at the first stage. A warning.",
    ),
    "unmatched-join": RuleDoc(
        "Deal with no row in a joined file",
        "A deal with no row in a data.join file: its joined columns are empty for it. A warning.",
    ),
}

# duplicate-id is a process and a data code: its one entry, in _PROCESS, speaks of both.
RULE_DOCS: dict[str, RuleDoc] = {**_DATA, **_FILE, **_PROCESS}


def rule_doc(code: str) -> RuleDoc:
    """The descriptions of `code`; a generic one for a code this table does not know."""
    return RULE_DOCS.get(
        code,
        RuleDoc(f"salesflow finding {code}", f"See the finding codes in {HELP_PAGE}."),
    )


def help_uri(code: str) -> str:
    """Where `code` is documented: its heading in docs/validate.md, relative to the repository."""
    return f"{HELP_PAGE}#{code if code in RULE_DOCS else CODES_ANCHOR}"
