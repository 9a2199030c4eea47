"""What the figures were measured on: cores, memory, CPU model, PostgreSQL, database size."""

import os
import platform
from pathlib import Path

import django
from django.db import connection


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "inconnu"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} Gio"
    except OSError:
        pass
    return "inconnue"


def describe() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "Cœurs (nproc)": str(len(os.sched_getaffinity(0))),
        "Mémoire": _memory_gib(),
        "Processeur": _cpu_model(),
        "PostgreSQL": pg_version.split(" ")[0]
        + " ("
        + ", ".join(f"{k} {v}" for k, v in settings.items())
        + ")",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "Taille de la base": db_size,
    }
