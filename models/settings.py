"""One typed settings object, read from the environment and the local settings file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_SETTINGS_FILE = Path("var/local.env")


class Settings(BaseSettings):
    """Every setting, its environment variable and its default (the README lists them)."""

    model_config = SettingsConfigDict(
        env_prefix="BANHANH_", env_file=(".env", str(LOCAL_SETTINGS_FILE)), extra="ignore"
    )

    data_dir: Path = Field(Path("var"), description="where the SQLite database, mail and Prefect home live")
    database_url: str = Field(
        "",
        validation_alias=AliasChoices("DATABASE_URL", "BANHANH_DATABASE_URL"),
        description="SQLAlchemy URL of the app database; empty: SQLite file in the data directory",
    )
    prefect_api_url: str = Field(
        "http://127.0.0.1:4200/api",
        validation_alias=AliasChoices("PREFECT_API_URL", "BANHANH_PREFECT_API_URL"),
        description="the one Prefect server every process uses (with /api)",
    )
    prefect_port: int = Field(4200, description="port of the embedded Prefect server started by make serve")
    runner_limit: int = Field(8, description="flow runs the runner executes at once")
    flow_start: Literal["forkserver", "spawn"] = Field(
        "forkserver",
        description="how the runner starts flow runs: forked from a preloaded server, or 'spawn' (fresh)",
    )
    work_pool: str = Field(
        "", description="Prefect work pool whose workers run the flows; empty: make serve's own runner"
    )
    run_stale_s: int = Field(
        90,
        description="seconds without a heartbeat before a Running flow run is dead (≥ 2 heartbeat periods)",
    )
    run_pending_s: int = Field(
        120, description="seconds a flow run may stay Pending (or Cancelling) before it counts as abandoned"
    )
    run_late_s: int = Field(
        300, description="seconds without progress after which a plan's automated work is shown as late"
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP relay host; the local catcher by default")
    smtp_port: int = Field(8025, description="SMTP relay port")
    smtp_starttls: bool = Field(False, description="upgrade the connection with STARTTLS")
    smtp_tls: bool = Field(False, description="implicit TLS (port 465 style)")
    smtp_username: str = Field("", description="SMTP AUTH user; empty: no authentication")
    smtp_password: str = Field("", description="SMTP AUTH password")
    smtp_timeout: float = Field(30.0, description="seconds before an SMTP command is abandoned")
    smtp_pool_size: int = Field(4, description="SMTP connections the dispatcher keeps open")
    mail_from: str = Field("Ban Hành <banhanh@localhost>", description="sender address of every email")
    catcher: bool = Field(True, description="start the local SMTP catcher when the relay is on this machine")
    dispatch_interval: float = Field(0.25, description="seconds between outbox polls when it is idle")
    exchange_url: str = Field(
        "", description="the document exchange endpoint (edXML); empty: units on the edxml channel wait"
    )
    exchange_poll_seconds: float = Field(
        30.0, description="seconds between two reads of the exchange's statuses"
    )
    max_attempts: int = Field(
        8, description="attempts before an email whose sending hits an error of our own is given up"
    )
    queue_lifetime_hours: float = Field(
        24.0,
        gt=0,
        description="hours an email may wait out temporary failures; a relay outage never fails it",
    )
    smtp_rate_limit: float = Field(0.0, description="most messages per second sent to the relay; 0: none")
    web_host: str = Field("127.0.0.1", description="address the web app listens on")
    web_port: int = Field(8000, description="port the web app listens on")
    public_url: str = Field("", description="web app URL used in email links; empty: local")
    secret_key: str = Field("", description="key signing sessions and links; empty: kept in data dir")
    session_minutes: int = Field(480, description="minutes of inactivity before a web session ends")
    link_hours: int = Field(72, description="hours an emailed action or sign-in link stays valid")
    session_max_hours: int = Field(
        12, description="hours after sign-in when a web session ends, however active"
    )
    allowed_hosts: str = Field(
        "", description="more host names the web app answers to (comma-separated); it always answers its own"
    )
    max_form_kb: int = Field(2048, description="largest request body the web app reads, in KB (forms)")
    max_upload_mb: int = Field(26, description="largest request body of a file import, in MB")
    throttle_per_minute: int = Field(
        10, description="sign-in requests per minute from one client (links and receipts: three times that)"
    )
    seal_pkcs12: str = Field("", description="PKCS#12 file that seals issued PDFs (PAdES); empty: not sealed")
    seal_password: str = Field("", description="password of the PKCS#12 file")
    tsa_url: str = Field(
        "", description="RFC 3161 timestamp authority every digital signature gets its timestamp from"
    )
    document_timestamp: bool = Field(
        False,
        description="after the organisation's signature at issuance, add a document timestamp from the "
        "TSA (PAdES B-LTA)",
    )
    trust_anchors: str = Field(
        "",
        description="PEM files of the root certificates signatures must chain to (comma-separated); "
        "e.g. the Ban Cơ yếu Chính phủ roots",
    )
    log_format: str = Field("text", description="log lines as 'text' or 'json' (one object per line)")
    cli_language: Literal["en", "vi"] = Field(
        "en",
        description="language of the CLI's error lines and import notes ('en' or 'vi'); "
        "the web is always in Vietnamese",
    )
    import_max_text_bytes: int = Field(
        2 * 1024 * 1024, description="largest plain-text plan, body or organisation TOML accepted (bytes)"
    )
    import_max_docx_bytes: int = Field(25 * 1024 * 1024, description="largest .docx file accepted (bytes)")
    import_max_unzipped_bytes: int = Field(
        64 * 1024 * 1024, description="largest .docx once unzipped, all its parts together (bytes)"
    )
    import_max_xml_bytes: int = Field(
        16 * 1024 * 1024, description="largest single XML part of a .docx once unzipped (bytes)"
    )
    import_max_zip_entries: int = Field(1000, description="most parts (zip entries) a .docx may hold")
    import_max_paragraphs: int = Field(
        20000, description="most paragraphs of a .docx, or lines of a text plan"
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.resolve()  # processes started elsewhere (flow runs) must find the same files

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'banhanh.db'}"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def prefect_ui_url(self) -> str:
        return self.prefect_api_url.removesuffix("/api")
