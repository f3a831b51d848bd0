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
    max_attempts: int = Field(8, description="attempts before a temporary SMTP failure becomes final")
    smtp_rate_limit: float = Field(0.0, description="most messages per second sent to the relay; 0: none")
    web_host: str = Field("127.0.0.1", description="address the web app listens on")
    web_port: int = Field(8000, description="port the web app listens on")
    public_url: str = Field("", description="web app URL used in email links; empty: local")
    secret_key: str = Field("", description="key signing sessions and links; empty: kept in data dir")
    session_minutes: int = Field(480, description="minutes of inactivity before a web session ends")
    link_hours: int = Field(72, description="hours an emailed action or sign-in link stays valid")
    seal_pkcs12: str = Field("", description="PKCS#12 file that seals issued PDFs (PAdES); empty: not sealed")
    seal_password: str = Field("", description="password of the PKCS#12 file")
    log_format: str = Field("text", description="log lines as 'text' or 'json' (one object per line)")

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
