# ruff: noqa: E501  (the exports are written as the CRMs write them, one deal a line)
"""Presets: each CRM's standard export, in the exact layout it writes, read with a process file
and `data.preset` only; the counts equal the ground truth the files were built from."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.errors import DataError
from salesflow.sources.canonical import DealTables
from tests.sources.deal_data import load, tables

STARTERS = Path(__file__).parents[2] / "src" / "salesflow" / "cli" / "starter"


def starter(crm: str, extra: str = "") -> str:
    return (STARTERS / f"{crm}.yaml").read_text(encoding="utf-8") + extra


def placed(built: DealTables) -> dict[tuple[str, int], int]:
    """(status, stage index) → deals, as the metrics count them."""
    rows = built.con.execute(
        "SELECT status, position, count(*) FROM funnel_deals GROUP BY ALL"
    ).fetchall()
    return {(str(status), int(position)): int(n) for status, position, n in rows}


def q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def entered(stage: str, pipeline: str = "Sales Pipeline") -> str:
    return q(f'Date entered "{stage} ({pipeline})"')


HUBSPOT_HEADER = ",".join(
    [
        "Record ID",
        "Deal Name",
        "Pipeline",
        "Deal Stage",
        "Amount",
        "Deal currency code",
        "Create Date",
        "Close Date",
        "Deal owner",
        entered("Appointment Scheduled"),
        entered("Qualified To Buy"),
        entered("Presentation Scheduled"),
        entered("Closed Lost"),
        q('Date exited "Appointment Scheduled (Sales Pipeline)"'),
    ]
)
HUBSPOT = (
    HUBSPOT_HEADER
    + """
101,Acme,Sales Pipeline,Appointment Scheduled,1000,USD,2024-01-02 09:15,,Ann Lee,2024-01-02 09:15,,,,
102,Beta,Sales Pipeline,Qualified To Buy,2000,USD,2024-01-03 10:00,,Ann Lee,2024-01-03 10:00,2024-01-05 11:00,,,2024-01-05 11:00
103,Gamma,Sales Pipeline,Closed Won,3000,USD,2024-01-04 10:00,2024-02-01 10:00,Bo Chan,2024-01-04 10:00,2024-01-06 10:00,2024-01-10 10:00,,2024-01-06 10:00
104,Delta,Sales Pipeline,Closed Lost,4000,USD,2024-01-05 10:00,2024-02-02 10:00,Bo Chan,2024-01-05 10:00,2024-01-07 10:00,,2024-02-02 10:00,2024-01-07 10:00
105,Eps,Sales Pipeline,closedlost,500,USD,2024-01-05 10:00,2024-02-02 10:00,Bo Chan,2024-01-05 10:00,,,2024-02-02 10:00,
106,Zeta,Sales Pipeline,presentationscheduled,700,USD,2024-01-06 10:00,,Bo Chan,2024-01-06 10:00,2024-01-08 10:00,2024-01-09 10:00,,2024-01-08 10:00
"""
)


def test_hubspot_export_with_the_preset_only(tmp_path: Path) -> None:
    built = tables(tmp_path, HUBSPOT, process=starter("hubspot"))
    # open: 101 at 0, 102 at 1, 106 at 2; won 103; lost 104 at 1 (its furthest date), 105 at 0
    assert placed(built) == {
        ("open", 0): 1,
        ("open", 1): 1,
        ("open", 2): 1,
        ("won", 4): 1,
        ("lost", 1): 1,
        ("lost", 0): 1,
    }
    assert built.columns.deals["id"] == "Record ID"
    assert built.columns.deals["amount"] == "Amount"
    assert built.columns.stage_dates == {
        0: 'Date entered "Appointment Scheduled (Sales Pipeline)"',
        1: 'Date entered "Qualified To Buy (Sales Pipeline)"',
        2: 'Date entered "Presentation Scheduled (Sales Pipeline)"',
    }


def test_hubspot_internal_outcome_ids_are_known_without_aliases(tmp_path: Path) -> None:
    process = starter("hubspot").replace(", closedwon]", "]").replace(", closedlost]", "]")
    assert "closedlost" not in process.split("outcomes:")[1]
    built = tables(tmp_path, HUBSPOT, process=process)
    assert placed(built)[("lost", 0)] == 1


def test_hubspot_api_names(tmp_path: Path) -> None:
    deals = """\
hs_object_id,dealstage,amount,createdate,closedate,hs_v2_date_entered_appointmentscheduled,hs_v2_date_entered_qualifiedtobuy,hs_date_entered_qualifiedtobuy
7,qualifiedtobuy,10,2024-01-01,,2024-01-01,2024-01-03,2024-01-09
8,closedwon,20,2024-01-01,2024-01-20,2024-01-01,2024-01-04,
9,closedlost,30,2024-01-01,2024-01-20,2024-01-01,2024-01-05,
"""
    built = tables(tmp_path, deals, process=starter("hubspot"))
    assert placed(built) == {("open", 1): 1, ("won", 4): 1, ("lost", 1): 1}
    assert built.columns.stage_dates == {
        0: "hs_v2_date_entered_appointmentscheduled",
        1: "hs_v2_date_entered_qualifiedtobuy",
    }


TWO_PIPELINES = (
    ",".join(
        [
            "Record ID",
            "Pipeline",
            "Deal Stage",
            entered("Qualified To Buy"),
            entered("Qualified To Buy", "Renewals"),
        ]
    )
    + "\n1,Sales Pipeline,Qualified To Buy,2024-01-02,\n2,Renewals,Qualified To Buy,,2024-01-03\n"
)


def test_two_pipelines_need_data_pipeline(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, TWO_PIPELINES, process=starter("hubspot"))
    message = str(error.value)
    assert "qualified_to_buy" in message
    assert "from pipelines Renewals, Sales Pipeline; set data.pipeline" in message


def test_data_pipeline_picks_its_own_date_columns(tmp_path: Path) -> None:
    process = starter("hubspot").replace("  # pipeline: Sales Pipeline", "  pipeline: Renewals")
    built = tables(tmp_path, TWO_PIPELINES, process=process)
    assert built.columns.stage_dates == {1: 'Date entered "Qualified To Buy (Renewals)"'}


HUBSPOT_RENEWALS = HUBSPOT + (
    "107,Renew,Renewals,Renewal Due,9000,USD,2024-01-07 10:00,,Ann Lee,,,,,\n"
    "108,Renewed,Renewals,Closed Won,9000,USD,2024-01-07 10:00,2024-02-07 10:00,Ann Lee,,,,,\n"
)


def test_another_pipelines_closed_deals_are_refused_even_with_unmapped_ignore(
    tmp_path: Path,
) -> None:
    """HubSpot's pipelines share Closed Won and Closed Lost: `--unmapped ignore` drops the
    Renewals deals in stages this process lacks, but its won deal would stay (a biased win
    rate). Refused, unless data.pipeline chooses."""
    with pytest.raises(DataError, match=r'2 pipelines: "Sales Pipeline" \(6\), "Renewals" \(2\)'):
        tables(tmp_path, HUBSPOT_RENEWALS, process=starter("hubspot"), unmapped="ignore")
    chosen = starter("hubspot").replace("  # pipeline: Sales", "  pipeline: Sales")
    alone = placed(tables(tmp_path, HUBSPOT, process=starter("hubspot")))
    assert placed(tables(tmp_path, HUBSPOT_RENEWALS, process=chosen)) == alone


def test_explicit_columns_override_the_preset(tmp_path: Path) -> None:
    process = starter("hubspot").replace("data:\n", "data:\n  columns: {amount: Deal Name}\n")
    built = tables(tmp_path, HUBSPOT, process=process)
    assert built.columns.deals["amount"] == "Deal Name"
    assert built.columns.deals["id"] == "Record ID"


def test_a_missing_required_column_names_what_the_preset_looked_for(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, "Deal Name,Deal Stage\nA,Qualified To Buy\n", process=starter("hubspot"))
    assert str(error.value).startswith(
        f"{tmp_path / 'deals.csv'} has no column for `id` (looked for 'Record ID', "
        "'hs_object_id', 'deal_id'); its columns: Deal Name, Deal Stage; name it in "
        "data.columns.id"
    )


def test_preset_flag_overrides_the_process_file(tmp_path: Path) -> None:
    process = starter("hubspot").replace("preset: hubspot", "preset: salesforce")
    built = tables(tmp_path, HUBSPOT, process=process, preset="hubspot")
    assert built.columns.deals["stage"] == "Deal Stage"


# A Salesforce opportunity report (US dates) and its Opportunity Field History report.
SALESFORCE = """\
"Opportunity Owner","Account Name","Opportunity Name","Opportunity ID","Stage","Amount Currency","Amount","Close Date","Created Date"
"Ann Lee","Acme","Acme - 100","0061","Prospecting","USD","1,000.00","3/30/2024","3/4/2024"
"Ann Lee","Beta","Beta - 200","0062","Needs Analysis","USD","2,000.00","4/30/2024","3/5/2024"
"Bo Chan","Gamma","Gamma - 300","0063","Closed Won","USD","3,000.00","3/25/2024","3/6/2024"
"Bo Chan","Delta","Delta - 400","0064","Closed Lost","USD","4,000.00","3/26/2024","3/7/2024"
"""
FIELD_HISTORY = """\
"Opportunity Name","Opportunity ID","Edited By","Field / Event","Old Value","New Value","Edit Date"
"Acme - 100","0061","Ann Lee","Created.","","","3/4/2024 9:00 AM"
"Beta - 200","0062","Ann Lee","Stage","Prospecting","Qualification","3/8/2024 2:30 PM"
"Beta - 200","0062","Ann Lee","Amount","$1,500.00","$2,000.00","3/9/2024 10:00 AM"
"Beta - 200","0062","Ann Lee","Stage","Qualification","Needs Analysis","3/12/2024 4:05 PM"
"Gamma - 300","0063","Bo Chan","Created.","","","3/6/2024 8:00 AM"
"Gamma - 300","0063","Bo Chan","Stage","Prospecting","Proposal/Price Quote","3/10/2024 11:00 AM"
"Gamma - 300","0063","Bo Chan","Close Date","3/31/2024","3/25/2024","3/20/2024 11:00 AM"
"Gamma - 300","0063","Bo Chan","Stage","Proposal/Price Quote","Closed Won","3/25/2024 11:00 AM"
"Delta - 400","0064","Bo Chan","Stage","Qualification","Value Proposition","3/15/2024 9:00 AM"
"Delta - 400","0064","Bo Chan","Stage","Value Proposition","Closed Lost","3/26/2024 9:00 AM"
"""


def test_salesforce_report_with_its_field_history(tmp_path: Path) -> None:
    built = tables(tmp_path, SALESFORCE, history=FIELD_HISTORY, process=starter("salesforce"))
    assert placed(built) == {("open", 0): 1, ("open", 2): 1, ("won", 7): 1, ("lost", 3): 1}
    entries = built.con.execute(
        "SELECT deal_id, e0::VARCHAR, e1::VARCHAR, e2::VARCHAR, e3::VARCHAR, e6::VARCHAR "
        "FROM deals ORDER BY _row"
    ).fetchall()
    assert entries == [
        ("0061", None, None, None, None, None),
        # created in Prospecting: no Created. row, so the deal's created date (m/d/Y)
        ("0062", "2024-03-05 00:00:00", "2024-03-08 14:30:00", "2024-03-12 16:05:00", None, None),
        ("0063", "2024-03-06 08:00:00", None, None, None, "2024-03-10 11:00:00"),
        ("0064", None, "2024-03-07 00:00:00", None, "2024-03-15 09:00:00", None),
    ]
    # the Amount, Close Date and Created. rows are no unmapped labels
    unmapped = built.con.execute("SELECT count(unmapped_label) FROM history_rows").fetchone()
    assert unmapped == (0,)


# The same report from an org whose locale writes day first (en_GB): 13/03/2024 shows it; every
# close date reads either way, and the field history's edit dates too.
SALESFORCE_DAY_FIRST = """\
"Opportunity Owner","Account Name","Opportunity Name","Opportunity ID","Stage","Amount Currency","Amount","Close Date","Created Date"
"Ann Lee","Acme","Acme - 100","0061","Prospecting","USD","1,000.00","10/04/2024","04/03/2024"
"Ann Lee","Beta","Beta - 200","0062","Needs Analysis","USD","2,000.00","11/05/2024","05/03/2024"
"Bo Chan","Gamma","Gamma - 300","0063","Closed Won","USD","3,000.00","02/04/2024","13/03/2024"
"Bo Chan","Delta","Delta - 400","0064","Closed Lost","USD","4,000.00","03/04/2024","07/03/2024"
"""
FIELD_HISTORY_DAY_FIRST = """\
"Opportunity Name","Opportunity ID","Edited By","Field / Event","Old Value","New Value","Edit Date"
"Beta - 200","0062","Ann Lee","Stage","Prospecting","Qualification","08/03/2024 14:30"
"Beta - 200","0062","Ann Lee","Stage","Qualification","Needs Analysis","11/03/2024 16:05"
"Delta - 400","0064","Bo Chan","Stage","Qualification","Value Proposition","09/03/2024 09:00"
"Delta - 400","0064","Bo Chan","Stage","Value Proposition","Closed Lost","03/04/2024 09:00"
"""


def test_a_day_first_report_is_read_by_its_own_columns_before_the_preset(tmp_path: Path) -> None:
    """Created Date shows the report is day first (13/03/2024): its close dates, which read
    either way, follow it rather than the preset's month first."""
    built = tables(tmp_path, SALESFORCE_DAY_FIRST, process=starter("salesforce"))
    closed = built.con.execute(
        "SELECT closed_at::DATE::VARCHAR FROM deals ORDER BY _row"
    ).fetchall()
    assert closed == [("2024-04-10",), ("2024-05-11",), ("2024-04-02",), ("2024-04-03",)]


def test_a_field_history_follows_its_report_before_the_preset(tmp_path: Path) -> None:
    """The field history's edit dates all read either way: the report read with it (the same
    org, the same locale) shows day first."""
    built = tables(
        tmp_path,
        SALESFORCE_DAY_FIRST,
        history=FIELD_HISTORY_DAY_FIRST,
        process=starter("salesforce"),
    )
    entries = built.con.execute(
        "SELECT deal_id, e1::VARCHAR, e2::VARCHAR, e3::VARCHAR FROM deals ORDER BY _row"
    ).fetchall()
    assert entries == [
        ("0061", None, None, None),
        ("0062", "2024-03-08 14:30:00", "2024-03-11 16:05:00", None),
        ("0063", None, None, None),
        ("0064", "2024-03-07 00:00:00", None, "2024-03-09 09:00:00"),
    ]


def test_a_report_whose_columns_disagree_settles_no_history(tmp_path: Path) -> None:
    """Created Date day first (13/03/2024), Close Date month first (4/15/2024): the field
    history's edit dates, which read either way, are refused rather than read by the preset."""
    report = SALESFORCE_DAY_FIRST.replace('"10/04/2024"', '"4/15/2024"')
    with pytest.raises(DataError) as error:
        tables(tmp_path, report, history=FIELD_HISTORY_DAY_FIRST, process=starter("salesforce"))
    assert str(error.value).startswith(
        f"{tmp_path / 'history.csv'}: column 'Edit Date': dates such as 03/04/2024 09:00, "
        "08/03/2024 14:30, 09/03/2024 09:00 read either way (month/day or day/month), and the "
        f"date columns of {tmp_path / 'deals.csv'} disagree on the order ('Created Date' "
        "day/month, 'Close Date' month/day)"
    )


def test_salesforce_opportunity_history_api_export(tmp_path: Path) -> None:
    history = """\
OpportunityId,StageName,CreatedDate,Amount
0062,Prospecting,2024-03-05T10:00:00.000+0000,1000
0062,Qualification,2024-03-08T10:00:00.000+0000,1000
0064,Value Proposition,2024-03-15T10:00:00.000+0000,1000
0064,Closed Lost,2024-03-26T10:00:00.000+0000,1000
"""
    built = tables(tmp_path, SALESFORCE, history=history, process=starter("salesforce"))
    assert built.columns.history == {
        "deal": "OpportunityId",
        "stage": "StageName",
        "entered": "CreatedDate",
    }
    assert placed(built) == {("open", 0): 1, ("open", 2): 1, ("won", 7): 1, ("lost", 3): 1}


PIPEDRIVE = """\
Deal - ID,Deal - Title,Deal - Owner,Deal - Value,Deal - Currency,Deal - Pipeline,Deal - Stage,Deal - Status,Deal - Deal created,Deal - Won time,Deal - Lost time
1,Acme deal,Ann Lee,1000,USD,Pipeline,Qualified,open,2024-01-02 09:00:00,,
2,Beta deal,Ann Lee,2000,USD,Pipeline,Demo Scheduled,open,2024-01-03 09:00:00,,
3,Gamma deal,Bo Chan,3000,USD,Pipeline,Negotiations Started,won,2024-01-04 09:00:00,2024-02-01 10:00:00,
4,Delta deal,Bo Chan,4000,USD,Pipeline,Proposal Made,lost,2024-01-05 09:00:00,,2024-02-03 10:00:00
5,Eps deal,Bo Chan,500,USD,Pipeline,Contact Made,deleted,2024-01-06 09:00:00,,
6,Zeta deal,Bo Chan,600,USD,Pipeline,Qualified,lost,2024-01-07 09:00:00,2024-01-20 10:00:00,2024-02-05 10:00:00
"""


def test_pipedrive_export_with_the_preset_only(tmp_path: Path) -> None:
    built = tables(tmp_path, PIPEDRIVE, process=starter("pipedrive"))
    # deleted deal 5 dropped; lost deals at the stage they reached
    assert placed(built) == {
        ("open", 0): 1,
        ("open", 2): 1,
        ("won", 4): 1,
        ("lost", 3): 1,
        ("lost", 0): 1,
    }
    closed = built.con.execute(
        "SELECT deal_id, closed_at::VARCHAR FROM funnel_deals WHERE status <> 'open' ORDER BY 1"
    ).fetchall()
    assert closed == [
        ("3", "2024-02-01 10:00:00"),
        ("4", "2024-02-03 10:00:00"),
        ("6", "2024-02-05 10:00:00"),  # reopened and lost again: the later date
    ]


def test_pipedrive_columns_without_the_prefix(tmp_path: Path) -> None:
    deals = PIPEDRIVE.replace("Deal - ", "")
    built = tables(tmp_path, deals, process=starter("pipedrive"))
    assert built.columns.deals["created"] == "Deal created"
    assert placed(built)[("won", 4)] == 1


def test_every_starter_is_a_valid_process() -> None:
    for crm in ("hubspot", "salesforce", "pipedrive"):
        assert load(starter(crm)).data.preset == crm
