"""User templates (`salesflow onboard --template DIR`): one that extends the default renders; a
hostile or broken one is refused with exit code 2 and one line naming the template and the line,
never with a traceback or the contents of a file outside the template directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from salesflow.cli.app import app
from salesflow.render.context import MARKER

PROCESS = """\
salesflow: 1
name: Sandbox sales
roles:
  - id: ae
    title: Account Executive
    responsibilities: [Runs demos]
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
    expected: {conversion: 0.5, days: 10}
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Proposal accepted]
    expected: {conversion: 0.6, days: 14}
"""

# Line 1 is harmless text so that the line numbers in the messages are checked (line 2).
HOSTILE = {
    "mro": '{{ "".__class__.__mro__ }}',
    "globals": "{{ cycler.__init__.__globals__ }}",
    "context": "{{ self._TemplateReference__context }}",
    "format": '{{ "{0.__class__}".format(1) }}',
    "attr-filter": '{{ process | attr("__class__") }}',
    "lipsum": "{{ lipsum.__globals__ }}",
    "undefined": "{{ no_such_variable }}",
    "undefined-attribute": "{{ process.no_such_key }}",
}
UNSAFE = {"mro", "globals", "context", "format", "attr-filter", "lipsum"}
ESCAPES = {
    "dotdot": '{% include "../../etc/passwd" %}',
    "absolute": '{% include "/etc/passwd" %}',
    "default-dotdot": '{% include "default/../../../../../etc/passwd" %}',
    "extends-absolute": '{% extends "/etc/passwd" %}',
}


@pytest.fixture
def process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "process.yaml"
    path.write_text(PROCESS, encoding="utf-8")
    return path


def template_dir(tmp_path: Path, text: str, name: str = "handbook.md.j2") -> Path:
    directory = tmp_path / "templates"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def onboard(process: Path, directory: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["onboard", "-p", str(process), "--no-data", "--template", str(directory), *args]
    )


def refused(result: Result) -> str:
    """The single `salesflow: error: ...` line of a refused template; nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salesflow: error: ")
    assert "root:" not in result.output  # nothing of /etc/passwd
    return lines[0]


# --- a user template that extends the default ------------------------------------------------


def test_user_template_extends_the_default_and_overrides_a_block(
    process: Path, tmp_path: Path
) -> None:
    directory = template_dir(
        tmp_path,
        '{% extends "default/handbook.md.j2" %}\n'
        "{% block howto %}\n## Start here\n\nAsk {{ roles[0].title }} for a shadowing slot.\n\n"
        "{% endblock %}\n"
        "{% block glossary %}{% endblock %}\n",
    )
    result = onboard(process, directory)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "## Start here\n\nAsk Account Executive for a shadowing slot.\n" in out
    assert "## How to use this handbook" not in out
    assert "## Glossary" not in out
    # Everything else is the default's: the marker, the title, the stages and their checklists.
    assert out.startswith(f"<!-- {MARKER} from process.yaml")
    assert "# Sandbox sales: sales handbook" in out
    assert "```mermaid\nflowchart LR\n" in out
    assert "- [ ] Need confirmed" in out and "- [ ] Proposal accepted" in out


def test_user_template_overrides_the_scoped_stage_block(process: Path, tmp_path: Path) -> None:
    directory = template_dir(
        tmp_path,
        '{% extends "default/handbook.md.j2" %}\n'
        "{% block stage %}\n#### {{ stage.name | md }} ({{ stage.exit_criteria | length }})\n\n"
        "{% endblock %}\n",
    )
    result = onboard(process, directory)
    assert result.exit_code == 0, result.stderr
    assert "#### Discovery (1)" in result.stdout
    assert "#### Proposal (1)" in result.stdout
    assert "- [ ]" not in result.stdout


def test_user_template_can_call_super(process: Path, tmp_path: Path) -> None:
    directory = template_dir(
        tmp_path,
        '{% extends "default/handbook.md.j2" %}\n'
        "{% block outcomes %}{{ super() }}Ask your manager before closing a deal as lost.\n\n"
        "{% endblock %}\n",
    )
    result = onboard(process, directory)
    assert result.exit_code == 0, result.stderr
    assert "## Outcomes" in result.stdout
    assert "Ask your manager before closing a deal as lost." in result.stdout


def test_standalone_user_template_sees_the_documented_variables(
    process: Path, tmp_path: Path
) -> None:
    directory = template_dir(
        tmp_path,
        "<!-- {{ marker }} -->\n"
        "{{ process.name }} / {{ process_file }} / {{ stages | map(attribute='id') | join(',') }}"
        " / {{ roles[0].stages | join(',') }} / {{ live }} / {{ changes }} / {{ role }}"
        " / {{ glossary | length }} / {{ outcomes.won.name }}\n",
    )
    result = onboard(process, directory)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"<!-- {MARKER} -->\nSandbox sales / process.yaml / discovery,proposal"
        " / Discovery,Proposal / None / None / None / 16 / Closed Won\n"
    )


def test_html_user_template(process: Path, tmp_path: Path) -> None:
    directory = template_dir(
        tmp_path,
        '{% extends "default/handbook.html.j2" %}'
        "{% block style %}body { font-family: serif; }{% endblock %}",
        name="handbook.html.j2",
    )
    result = onboard(process, directory, "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert "<style>\nbody { font-family: serif; }</style>" in result.stdout
    assert '<h1 id="top">Sandbox sales: sales handbook</h1>' in result.stdout


def test_user_template_output_is_still_escaped_in_html(process: Path, tmp_path: Path) -> None:
    process.write_text(PROCESS.replace("name: Discovery", "name: <b>Discovery</b>"), "utf-8")
    directory = template_dir(
        tmp_path,
        '{% extends "default/handbook.html.j2" %}'
        "{% block glossary %}<p>{{ stages[0].name }}</p>{% endblock %}",
        name="handbook.html.j2",
    )
    result = onboard(process, directory, "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert "<p>&lt;b&gt;Discovery&lt;/b&gt;</p>" in result.stdout
    assert "<b>Discovery" not in result.stdout


# --- refused templates ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_template_is_refused_with_name_and_line(
    process: Path, tmp_path: Path, name: str
) -> None:
    directory = template_dir(tmp_path, "A harmless first line.\n" + HOSTILE[name] + "\n")
    line = refused(onboard(process, directory))
    assert re.match(r"salesflow: error: (\S*/)?handbook\.md\.j2:2: ", line), line
    if name in UNSAFE:
        assert "unsafe" in line
    else:
        assert "is undefined" in line or "has no attribute" in line


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_block_in_a_child_of_the_default_is_refused(
    process: Path, tmp_path: Path, name: str
) -> None:
    directory = template_dir(
        tmp_path,
        '{% extends "default/handbook.md.j2" %}\n{% block howto %}\n'
        + HOSTILE[name]
        + "\n{% endblock %}\n",
    )
    line = refused(onboard(process, directory))
    assert re.match(r"salesflow: error: (\S*/)?handbook\.md\.j2:3: ", line), line


@pytest.mark.parametrize("name", list(ESCAPES))
def test_template_cannot_read_outside_its_directory(
    process: Path, tmp_path: Path, name: str
) -> None:
    directory = template_dir(tmp_path, "A harmless first line.\n" + ESCAPES[name] + "\n")
    line = refused(onboard(process, directory))
    assert "passwd" in line  # the refused name is given back to the user


def test_include_of_a_sibling_file_does_not_escape_via_the_template_dir(
    process: Path, tmp_path: Path
) -> None:
    """A file next to the template directory (not inside it) cannot be included."""
    (tmp_path / "secret.txt").write_text("root:x:0:0:secret", encoding="utf-8")
    directory = template_dir(tmp_path, '{% include "../secret.txt" %}\n')
    line = refused(onboard(process, directory))
    assert "secret.txt" in line


@pytest.mark.parametrize("name", list(ESCAPES))
def test_refused_include_names_the_template_and_line(
    process: Path, tmp_path: Path, name: str
) -> None:
    directory = template_dir(tmp_path, "A harmless first line.\n" + ESCAPES[name] + "\n")
    line = refused(onboard(process, directory))
    assert re.match(r"salesflow: error: (\S*/)?handbook\.md\.j2:2: ", line), line


def test_syntax_error_names_the_file_and_line(process: Path, tmp_path: Path) -> None:
    directory = template_dir(tmp_path, "Line one.\nLine two.\n{% if %}\n")
    line = refused(onboard(process, directory))
    assert re.match(r"salesflow: error: \S*handbook\.md\.j2:3: ", line), line


def test_unclosed_block_names_the_file(process: Path, tmp_path: Path) -> None:
    directory = template_dir(tmp_path, "{% for stage in stages %}\n{{ stage.name }}\n")
    line = refused(onboard(process, directory))
    assert "handbook.md.j2:" in line


def test_missing_handbook_template_in_the_directory(process: Path, tmp_path: Path) -> None:
    directory = template_dir(tmp_path, "{{ process.name }}\n", name="other.md.j2")
    line = refused(onboard(process, directory))
    assert "no handbook.md.j2" in line
    assert str(directory) in line


def test_html_needs_its_own_template_in_the_directory(process: Path, tmp_path: Path) -> None:
    directory = template_dir(tmp_path, "{{ process.name }}\n")
    line = refused(onboard(process, directory, "--format", "html"))
    assert "no handbook.html.j2" in line


def test_missing_template_directory(process: Path, tmp_path: Path) -> None:
    line = refused(onboard(process, tmp_path / "nowhere"))
    assert "nowhere" in line


def test_user_handbook_template_replaces_the_default(process: Path, tmp_path: Path) -> None:
    """The user's handbook.md.j2 wins over the packaged one; `default/...` still reaches it."""
    directory = template_dir(tmp_path, "mine\n")
    result = onboard(process, directory)
    assert result.exit_code == 0
    assert result.stdout == "mine\n"


def test_refused_template_never_writes_the_output_file(process: Path, tmp_path: Path) -> None:
    directory = template_dir(tmp_path, HOSTILE["mro"])
    target = tmp_path / "HANDBOOK.md"
    refused(onboard(process, directory, "-o", str(target)))
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("expression", ["{{ 1 // 0 }}", "{{ range(200000) | list | length }}"])
def test_runtime_error_in_a_template_is_a_template_problem(
    process: Path, tmp_path: Path, expression: str
) -> None:
    directory = template_dir(tmp_path, "A harmless first line.\n" + expression + "\n")
    line = refused(onboard(process, directory))
    assert re.match(r"salesflow: error: (\S*/)?handbook\.md\.j2:2: ", line), line


# --- symbolic links: nothing outside the template directory, after following links -------------


def secret_file(tmp_path: Path) -> Path:
    """A file outside the template directory with a token in it, like /proc/self/environ."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "environ"
    secret.write_text("CI_TOKEN=root:supersecret\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize(
    ("link", "target", "include"),
    [
        ("p", "/proc", "p/self/environ"),  # the reported attack: a link to /proc
        ("etc", "/etc", "etc/passwd"),
        ("secret.txt", "FILE", "secret.txt"),  # a link to a file outside
        ("out", "DIR", "out/environ"),  # a link to a directory outside
        ("up", "..", "up/outside/environ"),  # a relative link out of the directory
    ],
    ids=["proc", "etc", "file", "dir", "relative"],
)
def test_include_through_a_link_out_of_the_directory_is_refused(
    process: Path, tmp_path: Path, link: str, target: str, include: str
) -> None:
    secret = secret_file(tmp_path)
    directory = template_dir(tmp_path, f'A harmless first line.\n{{% include "{include}" %}}\n')
    destination = {"FILE": str(secret), "DIR": str(secret.parent)}.get(target, target)
    (directory / link).symlink_to(destination)
    result = onboard(process, directory)
    line = refused(result)
    assert "supersecret" not in result.output and "CI_TOKEN" not in result.output
    assert re.match(r"salesflow: error: (\S*/)?handbook\.md\.j2:2: ", line), line
    assert "outside the template directory" in line


def test_handbook_template_that_is_a_link_out_of_the_directory_is_refused(
    process: Path, tmp_path: Path
) -> None:
    secret = secret_file(tmp_path)
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "handbook.md.j2").symlink_to(secret)
    result = onboard(process, directory)
    line = refused(result)
    assert "supersecret" not in result.output
    assert "outside the template directory" in line


def test_extends_through_a_link_out_of_the_directory_is_refused(
    process: Path, tmp_path: Path
) -> None:
    secret = secret_file(tmp_path)
    directory = template_dir(tmp_path, '{% extends "base.md.j2" %}\n')
    (directory / "base.md.j2").symlink_to(secret)
    result = onboard(process, directory)
    refused(result)
    assert "supersecret" not in result.output


def test_template_directory_that_is_a_link_is_refused(process: Path, tmp_path: Path) -> None:
    """The documented policy (docs/security.md): the directory must not itself be a link, since
    a link to `/` or `/proc` would make every file on the machine part of it."""
    real = template_dir(tmp_path, "{{ process.name }}\n")
    link = tmp_path / "link-to-templates"
    link.symlink_to(real)
    line = refused(onboard(process, link))
    assert "symbolic link" in line
    assert str(link) in line


def test_template_directory_that_is_a_link_to_the_root_is_refused(
    process: Path, tmp_path: Path
) -> None:
    link = tmp_path / "slash"
    link.symlink_to("/")
    line = refused(onboard(process, link))
    assert "symbolic link" in line


def test_links_inside_the_directory_are_followed(process: Path, tmp_path: Path) -> None:
    """A link that stays inside the template directory is fine, and so is a directory reached
    through a link higher up its path (the directory itself is a real directory)."""
    directory = template_dir(tmp_path, '{% include "parts/title.md.j2" %}\n')
    (directory / "real-parts").mkdir()
    (directory / "real-parts" / "title.md.j2").write_text("# {{ process.name }}\n", "utf-8")
    (directory / "parts").symlink_to("real-parts")
    (tmp_path / "via").symlink_to(tmp_path)
    result = onboard(process, tmp_path / "via" / "templates")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "# Sandbox sales\n"


def test_template_that_is_not_a_regular_file_is_refused(process: Path, tmp_path: Path) -> None:
    """A FIFO inside the directory would block the render forever."""
    import os

    directory = template_dir(tmp_path, '{% include "pipe" %}\n')
    os.mkfifo(directory / "pipe")
    line = refused(onboard(process, directory))
    assert "not a regular file" in line


def test_dangling_link_is_a_missing_template(process: Path, tmp_path: Path) -> None:
    directory = template_dir(tmp_path, '{% include "gone.md.j2" %}\n')
    (directory / "gone.md.j2").symlink_to(tmp_path / "nowhere")
    line = refused(onboard(process, directory))
    assert "gone.md.j2" in line
