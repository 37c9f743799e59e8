"""Crawl stage: what a crawl returns (its CrawlRun, status, counts), plain data that crosses processes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class CrawlResult:
    run_id: int | None
    status: str
    item_counts: dict = field(default_factory=dict)
    error_counts: dict = field(default_factory=dict)
    finish_reason: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def summary(self) -> str:
        items = ", ".join(f"{k} {v}" for k, v in sorted(self.item_counts.items())) or "nothing"
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.error_counts.items())) or "none"
        return f"Run {self.run_id}: {self.status}. Stored: {items}. Errors: {errors}."

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CrawlResult:
        return cls(**data)
