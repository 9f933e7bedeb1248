"""The official lists Tillit knows out of the box: code, name, format, download URL, offline file.

URLs can be overridden per deployment with ``TILLIT_WATCHLIST_URLS`` (``{code: url}``) or per
source in the admin; ``local_path`` is relative to ``TILLIT_WATCHLIST_DIR`` (the offline mirror,
laid out like ``../shared/watchlists``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    format: str
    url: str
    local_path: str = ""
    sync_interval: timedelta = timedelta(hours=6)  # how often beat syncs it (editable per source)


DEFAULT_SOURCES: dict[str, SourceSpec] = {
    "us_ofac_sdn": SourceSpec(
        "US OFAC Specially Designated Nationals (SDN) list",
        "ofac-csv",
        "https://www.treasury.gov/ofac/downloads/",
        "ofac",
    ),
    "us_ofac_cons": SourceSpec(
        "US OFAC Consolidated (non-SDN) list",
        "ofac-xml",
        "https://www.treasury.gov/ofac/downloads/consolidated/consolidated.xml",
        "ofac_consolidated/consolidated.xml",
    ),
    "un_sc": SourceSpec(
        "UN Security Council Consolidated List",
        "un-xml",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "un/UN_consolidated.xml",
    ),
    "eu_fsf": SourceSpec(
        "EU Financial Sanctions Files (consolidated list)",
        "eu-xml",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        "eu/eu_fsf.xml",
    ),
    "gb_hmt": SourceSpec(
        "UK HM Treasury / OFSI Consolidated List of Financial Sanctions Targets",
        "uk-csv",
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
        "uk_current/UK_Sanctions_List.xlsx",
    ),
    "gb_fcdo": SourceSpec(
        "UK Sanctions List (FCDO; includes the OFSI asset-freeze designations since 28 January 2026)",
        "uk-fcdo",
        "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
        "uk_fcdo/UK-Sanctions-List.xml",
        # Designations take effect on publication, often several times a day; the URL answers
        # conditional requests (ETag / Last-Modified), so an unchanged list costs one 304.
        timedelta(hours=2),
    ),
    "ca_sema": SourceSpec(
        "Canada Consolidated Autonomous Sanctions List (SEMA)",
        "ca-xml",
        "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml",
        "canada/cannada.xml",
    ),
    "us_bis_dpl": SourceSpec(
        "US BIS Denied Persons List",
        "bis-dpl",
        "https://www.bis.doc.gov/dpl/dpl.txt",
        "us_bis/dpl.txt",
    ),
}

# Which source a format loads into when ``load_watchlist`` is given no --source.
FORMAT_DEFAULT_SOURCE: dict[str, str] = {
    "ofac-csv": "us_ofac_sdn",
    "ofac-xml": "us_ofac_cons",
    "un-xml": "un_sc",
    "eu-xml": "eu_fsf",
    "uk-csv": "gb_hmt",
    "uk-fcdo": "gb_fcdo",
    "ca-xml": "ca_sema",
    "bis-dpl": "us_bis_dpl",
    "ftm-json": "os_default",
    "senzing-json": "os_senzing",
}

# The hand-made samples load into these sources (``load_watchlist --samples``).
SAMPLE_SOURCES: dict[str, str] = {
    fmt: f"demo_{code.removeprefix('os_')}" for fmt, code in FORMAT_DEFAULT_SOURCE.items()
}

# Files of a folder format (downloaded one by one from the source's folder URL).
FOLDER_FILES: dict[str, tuple[tuple[str, bool], ...]] = {
    "ofac-csv": (("sdn.csv", True), ("add.csv", True), ("alt.csv", True), ("sdn_comments.csv", False)),
}
