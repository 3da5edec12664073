"""Snapshot summaries for a set of added and removed files (spec Appendix F "Metrics")."""

from __future__ import annotations

from tablefmt import __version__
from tablefmt.metadata import snapshot as S
from tablefmt.metadata.data_file import DataFile


def build_summary(operation: str, added: list[DataFile], removed: list[DataFile],
                  previous: dict[str, str] | None) -> dict[str, str]:
    summary = {"operation": operation}
    if added:
        summary[S.ADDED_DATA_FILES] = str(len(added))
        summary[S.ADDED_RECORDS] = str(sum(f.record_count for f in added))
        summary[S.ADDED_FILES_SIZE] = str(sum(f.file_size_in_bytes for f in added))
    if removed:
        summary[S.DELETED_DATA_FILES] = str(len(removed))
        summary[S.DELETED_RECORDS] = str(sum(f.record_count for f in removed))
        summary[S.REMOVED_FILES_SIZE] = str(sum(f.file_size_in_bytes for f in removed))
    partitions = {(f.spec_id, f.partition) for f in added} | {(f.spec_id, f.partition)
                                                              for f in removed}
    summary[S.CHANGED_PARTITION_COUNT] = str(len(partitions))
    summary[S.ENGINE_NAME] = "tablefmt"
    summary[S.ENGINE_VERSION] = __version__
    return S.update_totals(previous, summary)
