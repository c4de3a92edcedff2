"""Suppression comments: each form, what they silence, and what is reported about them."""

from __future__ import annotations

from pathlib import Path

from agentls.config.discovery import ConfigStore
from agentls.editing.fixes import apply_edits, verify_fix
from agentls.engine import Analysis, analyze

PATH = "/p/.claude/agents/bar.md"


def run(text: str, path: str = PATH) -> Analysis:
    return analyze(text, path)


def codes(a: Analysis) -> list[str]:
    return sorted(f.code for f in a.findings)


def agent(*frontmatter: str, body: str = "You review code.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in frontmatter) + "---\n" + body


BASE = ("name: foo", "description: Reviews code.", "color: gold")


def test_the_findings_without_suppressions() -> None:
    assert codes(run(agent(*BASE))) == ["AL013", "AL016", "AL028"]


def test_a_trailing_comment_silences_its_line() -> None:
    a = run(agent("name: foo # agentls: ignore[AL013]", *BASE[1:]))
    assert codes(a) == ["AL016", "AL028"]
    (s,) = a.suppressed
    assert s.finding.code == "AL013" and s.reason == "`# agentls: ignore[AL013]` (line 2)"


def test_a_comment_alone_silences_the_next_line_and_takes_names_and_lists() -> None:
    a = run(
        agent(
            "name: foo",
            "# agentls: ignore[description-quality, AL028]",
            "",
            "# another comment",
            BASE[1],
            BASE[2],
        )
    )
    # AL028 is on the line after the description: not covered, and unused
    assert codes(a) == ["AL013", "AL028", "AL994"]
    unused = next(f for f in a.findings if f.code == "AL994")
    assert unused.range.start.line == 2 and "`AL028`" in unused.message


def test_a_trailing_suppression_is_no_comment_in_value_finding() -> None:
    # AL006 warns about ` #` cutting a plain value; a suppression is meant as a comment
    a = run(agent(BASE[0], "description: Reviews code. # agentls: ignore[AL016]", BASE[2]))
    assert codes(a) == ["AL013", "AL028"]


def test_when_claude_code_rescues_the_line_the_comment_is_part_of_the_value() -> None:
    # `tools: [Read` breaks the YAML: Claude Code's rescue quotes every line with a `#`,
    # so the trailing suppression becomes part of the description, and agentls says so
    a = run(
        agent(BASE[0], "description: Use when x. # agentls: ignore[AL016]", "argument-hint: [a")
    )
    assert "AL006" in codes(a)


def test_a_region_in_the_body() -> None:
    body = (
        "Intro.\n<!-- agentls-disable AL303 -->\nUse the `ghost-skill` skill.\n"
        "<!-- agentls-enable AL303 -->\nAfter.\n"
    )
    a = run(agent(*BASE, body=body))
    # no skill reference rule runs on a lone file: the region is unused
    assert "AL994" in codes(a)


def test_disable_file_covers_the_frontmatter_too() -> None:
    a = run(agent(*BASE, body="<!-- agentls-disable-file AL013 AL028 -->\nBody.\n"))
    assert codes(a) == ["AL016"]
    assert {s.finding.code for s in a.suppressed} == {"AL013", "AL028"}
    assert all("agentls-disable-file" in s.reason for s in a.suppressed)


def test_region_bounds_and_enable_without_rules() -> None:
    from agentls.config.suppress import parse_suppressions

    lines = [
        "<!-- agentls-disable AL016 AL013 -->",
        "x",
        "<!-- agentls-enable AL016 -->",
        "y",
        "<!-- agentls-enable -->",
        "z",
    ]
    s = parse_suppressions(lines, range(0), range(len(lines)))
    assert s.problems == ()
    spans = sorted((x.first, x.last, tuple(m.text for m in x.marks)) for x in s.items)
    assert spans == [(0, 2, ("AL016",)), (0, 4, ("AL013",))]


def test_comments_in_code_fences_are_text() -> None:
    body = "```markdown\n<!-- agentls-disable-file AL013 -->\n```\n"
    assert codes(run(agent(*BASE, body=body))) == ["AL013", "AL016", "AL028"]


def test_unknown_rules_and_malformed_comments_are_reported() -> None:
    a = run(
        agent(
            "# agentls: ignore[AL9999]",
            BASE[0],
            "# agentls: ignore AL016",
            BASE[1],
            BASE[2],
        )
    )
    assert codes(a) == ["AL013", "AL016", "AL028", "AL995", "AL996"]
    a = run(
        agent(
            *BASE,
            body="<!-- agentls-disable -->\n<!-- agentls-enable AL016 -->\n"
            "<!-- agentls-off AL1 -->\n",
        )
    )
    assert codes(a).count("AL996") == 3


def test_a_suppression_of_a_rule_the_configuration_turned_off_is_unused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "agentls.toml").write_text('ignore = ["AL013"]\n')
    f = tmp_path / ".claude" / "agents" / "bar.md"
    f.parent.mkdir(parents=True)
    f.write_text(agent("name: foo # agentls: ignore[AL013]", *BASE[1:]))
    a = analyze(f.read_text(), str(f), policy=ConfigStore().policy_for(str(f)))
    (unused,) = [x for x in a.findings if x.code == "AL994"]
    assert "already off for this file: `ignore` `AL013`" in unused.message


def test_the_configuration_can_turn_the_reports_about_suppressions_off(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "agentls.toml").write_text('ignore = ["AL99"]\n')
    f = tmp_path / ".claude" / "agents" / "bar.md"
    f.parent.mkdir(parents=True)
    f.write_text(agent("# agentls: ignore[AL028]", *BASE))
    a = analyze(f.read_text(), str(f), policy=ConfigStore().policy_for(str(f)))
    assert codes(a) == ["AL013", "AL016", "AL028"]


def test_the_unused_suppression_fix_is_verified_and_removes_it() -> None:
    text = agent("# agentls: ignore[AL028]", *BASE)
    a = run(text)
    (unused,) = [x for x in a.findings if x.code == "AL994"]
    (fix,) = unused.fixes
    assert verify_fix(text, PATH, None, a, unused, fix).ok
    assert apply_edits(text, fix.edits) == agent(*BASE)
    # one of two rules unused: only that one goes
    text = agent("name: foo # agentls: ignore[AL013, AL028]", *BASE[1:])
    a = run(text)
    (unused,) = [x for x in a.findings if x.code == "AL994"]
    new = apply_edits(text, unused.fixes[0].edits)
    assert "# agentls: ignore[AL013]" in new
    assert codes(run(new)) == ["AL016", "AL028"]


def test_suppressions_in_the_configuration_file(tmp_path: Path) -> None:
    config = tmp_path / "agentls.toml"
    config.write_text("# agentls: ignore[AL991]\nbogus = 1\nother = 2\n")
    a = analyze(config.read_text(), str(config))
    assert codes(a) == ["AL991"] and a.findings[0].range.start.line == 2


def test_no_agentls_no_work() -> None:
    a = run(agent(*BASE))
    assert a.settled is None and a.suppressed == []


# --------------------------------------------------------------------------- quick fixes


def fixed(text: str, code: str, title_start: str, path: str = PATH) -> str:
    from agentls.config.quickfix import suppression_fixes

    a = run(text, path)
    target = next(f for f in a.findings if f.code == code)
    fix = next(x for x in suppression_fixes(a, target) if x.title.startswith(title_start))
    assert not fix.safe
    assert verify_fix(text, path, None, a, target, fix).ok, fix
    return apply_edits(text, fix.edits)


def test_ignore_on_this_line_in_frontmatter_goes_above_and_is_verified() -> None:
    new = fixed(agent(*BASE), "AL028", "Ignore AL028 on this line")
    assert new == agent(BASE[0], BASE[1], "# agentls: ignore[AL028]", BASE[2])
    assert codes(run(new)) == ["AL013", "AL016"]
    # a second rule on the same line joins the comment
    new2 = fixed(new.replace("color: gold", "color: gold\nmodel: fable-9"), "AL029", "Ignore")
    assert "# agentls: ignore[AL028]\ncolor: gold\n# agentls: ignore[AL029]\nmodel" in new2


def test_ignore_in_this_file_uses_the_frontmatter_and_joins_an_existing_comment() -> None:
    new = fixed(agent(*BASE), "AL013", "Ignore AL013 in this file")
    assert new.startswith("---\n# agentls: ignore-file[AL013]\nname: foo\n")
    new = fixed(new, "AL016", "Ignore AL016 in this file")
    assert new.startswith("---\n# agentls: ignore-file[AL013, AL016]\nname: foo\n")
    assert codes(run(new)) == ["AL028"]


def test_ignore_in_the_body_is_a_region_and_keeps_crlf() -> None:
    # AL702: a Copilot agent's body over 30,000 characters, reported on its first line
    path = "/p/.github/agents/big.agent.md"
    text = "---\r\ndescription: Use when x.\r\n---\r\nFirst.\r\n" + "word " * 7000 + "\r\n"
    new = fixed(text, "AL702", "Ignore AL702 on this line", path)
    assert new.startswith(
        "---\r\ndescription: Use when x.\r\n---\r\n<!-- agentls-disable AL702 -->\r\nFirst."
        "\r\n<!-- agentls-enable AL702 -->\r\nword "
    )
    assert "AL702" not in codes(run(new, path))
    # in this file: the frontmatter form, not sent to the model with the body
    new = fixed(text, "AL702", "Ignore AL702 in this file", path)
    assert new.startswith("---\r\n# agentls: ignore-file[AL702]\r\ndescription")


def test_ignore_in_a_file_without_frontmatter() -> None:
    from agentls.config.quickfix import suppression_fixes

    path = "/p/.github/copilot-instructions.md"
    text = "---\napplyTo: 12\n---\nBe brief.\n"
    a = run(text, "/p/x.instructions.md")
    assert a.findings, "an instructions file with a wrong applyTo"
    f = a.findings[0]
    titles = [x.title for x in suppression_fixes(a, f)]
    assert titles == [f"Ignore {f.code} on this line", f"Ignore {f.code} in this file"]
    del path


def test_ignore_in_the_configuration_file(tmp_path: Path) -> None:
    config = tmp_path / "agentls.toml"
    text = "bogus = 1\n"
    new = fixed(text, "AL991", "Ignore AL991 on this line", str(config))
    assert new == "# agentls: ignore[AL991]\nbogus = 1\n"


def test_no_suppression_fix_for_suppression_findings() -> None:
    from agentls.config.quickfix import suppression_fixes

    a = run(agent("# agentls: ignore[AL028]", *BASE))
    unused = next(f for f in a.findings if f.code == "AL994")
    assert suppression_fixes(a, unused) == []
