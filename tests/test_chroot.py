"""Which argvs get a private /proc: only a chroot whose root has an empty /proc to mount on."""

from __future__ import annotations

from pathlib import Path

from jitbench.execute.chroot import chroot_root, with_proc


def test_the_root_of_a_chroot_command_is_found_past_its_options():
    assert chroot_root(["chroot", "/srv/r", "/opt/cx/bin/python"]) == "/srv/r"
    assert chroot_root(["/usr/sbin/chroot", "--userspec", "1:1", "/srv/r", "py"]) == "/srv/r"
    assert chroot_root(["chroot", "--skip-chdir", "--groups=1", "/srv/r", "py"]) == "/srv/r"
    assert chroot_root(["env", "chroot", "/srv/r", "py"]) is None
    assert chroot_root(["python3", "-c", "pass"]) is None


def test_only_a_chroot_with_an_empty_proc_folder_is_wrapped(tmp_path: Path):
    assert with_proc(["python3", "-c", "pass"]) == ["python3", "-c", "pass"]
    no_proc = tmp_path / "bare"
    no_proc.mkdir()
    argv = ["chroot", str(no_proc), "/bin/py"]
    assert with_proc(argv) == argv  # nothing to mount on
    mounted = tmp_path / "mounted"
    (mounted / "proc" / "self").mkdir(parents=True)
    argv = ["chroot", str(mounted), "/bin/py"]
    assert with_proc(argv) == argv  # it has a /proc already
    empty = tmp_path / "empty"
    (empty / "proc").mkdir(parents=True)
    wrapped = with_proc(["chroot", str(empty), "/bin/py"])
    assert wrapped[0].endswith("unshare") and wrapped[1] == f"--mount-proc={empty}/proc"
    assert wrapped[2:] == ["chroot", str(empty), "/bin/py"]
