"""The built wheel carries its default data: installed in a fresh environment, the CLI works anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def fresh_environment(folder: Path) -> Path:
    """A new venv holding only the wheel; the dependencies are read from this test's environment.

    A .pth line adds this environment's site-packages to the path without running its own .pth files,
    so the checkout's editable install is not seen: `rollout` can only come from the wheel.
    """
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], folder)
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_wheel_installs_and_runs_the_cli_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], ROOT)
    (wheel,) = dist.glob("rollout-*.whl")
    python = fresh_environment(tmp_path / "venv")
    run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROLLOUT_")}
    env["ROLLOUT_USER"] = "admin@example.com"
    located = run([str(python), "-c", "import rollout; print(rollout.__file__)"], elsewhere, env)
    assert str(tmp_path / "venv") in located.stdout, "rollout was not imported from the wheel"
    cli = [str(python), "-m", "rollout.cli"]
    run([*cli, "init"], elsewhere, env)
    run([*cli, "demo"], elsewhere, env)
    gates = json.loads(run([*cli, "gates", "--json"], elsewhere, env).stdout)
    assert len(gates) == 8 and {"ES", "IN"} <= {market["country"] for market in gates}
    assert (elsewhere / "rollout.db").exists()
