"""trialdesk: from a ClinicalTrials.gov record to a running trial.

The library surface re-exported here is the pure part: reading registry records in every shape and the
error types. Importing ``trialdesk`` loads no database or web framework; storage is wired in
:mod:`trialdesk.app` (``open_app``).

Example:
    >>> import trialdesk
    >>> results = list(trialdesk.read_record_bytes(
    ...     b'{"protocolSection": {"identificationModule": {"nctId": "NCT07295067"}}}', location="x.json"))
    >>> results[0].nct_id
    'NCT07295067'
"""

# first: the parsers imported below run from their compiled build when it is fresh (see trialdesk.native)
from trialdesk import native as native
from trialdesk.errors import (
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    RecordError,
    TrialdeskError,
)
from trialdesk.registry.importing import ImportSummary, RecordStore, SaveOutcome, import_paths
from trialdesk.registry.reader import iter_records, read_record_bytes
from trialdesk.registry.record import RegistryRecord, SourceInfo, Study, dump_study, validate_study

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "ImportSummary",
    "InvalidInputError",
    "NotFoundError",
    "RecordError",
    "RecordStore",
    "RegistryRecord",
    "SaveOutcome",
    "SourceInfo",
    "Study",
    "TrialdeskError",
    "__version__",
    "dump_study",
    "import_paths",
    "iter_records",
    "read_record_bytes",
    "validate_study",
]
