"""Render the handbook, turning every template problem into one line with its name and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from salesflow.errors import InputError
from salesflow.render.environment import TemplateOutsideDirectory, environment

TEMPLATES = {"markdown": "handbook.md.j2", "html": "handbook.html.j2"}
BLANK_RUNS = re.compile(r"\n{3,}")


class TemplateProblem(InputError):
    """A user's template is broken or tried something the sandbox forbids."""


def render_handbook(context: dict[str, Any], fmt: str, template_dir: Path | None = None) -> str:
    name = TEMPLATES[fmt]
    env = environment(template_dir, html=fmt == "html")  # refuses a directory that is a link
    if template_dir is not None and not (template_dir / name).is_file():
        raise TemplateProblem(f"{template_dir}: no {name} in the template directory")
    try:
        text = env.get_template(name).render(context)
    except TemplateOutsideDirectory as error:  # a link out of the directory, at any depth
        raise TemplateProblem(f"{name}{_line(error)}: {error}") from None
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            f"{error.filename or error.name}:{error.lineno}: {error.message}"
        ) from None
    except TemplateNotFound as error:
        raise TemplateProblem(f"{name}{_line(error)}: template not found: {error.name}") from None
    except (SecurityError, UndefinedError, TemplateError) as error:
        raise TemplateProblem(f"{name}{_line(error)}: {error}") from None
    except Exception as error:  # a template's own arithmetic, a sandbox limit: the user's to fix
        raise TemplateProblem(f"{name}{_line(error)}: {type(error).__name__}: {error}") from None
    return BLANK_RUNS.sub("\n\n", text).strip() + "\n"


def _line(error: BaseException) -> str:
    """The template line of a runtime error, from the traceback jinja2 rewrites."""
    trace = error.__traceback__
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename.endswith(".j2"):
            line = trace.tb_lineno
        trace = trace.tb_next
    return f":{line}" if line else ""
