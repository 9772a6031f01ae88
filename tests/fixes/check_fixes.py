#!/usr/bin/env python3
"""check_fixes.py - every fix fitcheck renders must be code that parses.

Runs the cases test (tests/cases, through test_cases) with FITCHECK_FIXES_OUT
set, so that it writes every fix of every report, then parses each fix in the
language the report gives it: Python with compile() and the rules Keras
applies to the layer calls fixes write (keras_rules: a Reshape target is a
tuple with at most one -1, ...), JavaScript with Node's vm.Script, shell with
`bash -n`. Fails when a fix does not parse, when a fix
has no language, or when a catalog code (core/findings.def) renders no fix in
any case (add a case for it).

    check_fixes.py TEST_CASES_BINARY SOURCE_DIR
"""
import ast
import json
import os
import re
import subprocess
import sys
import tempfile

JS_CHECK = r"""
const vm = require('vm');
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const bad = [];
  for (const code of JSON.parse(input)) {
    try { new vm.Script(code); } catch (e) { bad.push([code, String(e.message)]); }
  }
  process.stdout.write(JSON.stringify(bad));
});
"""


def literal_int(node):
    """The int a literal node holds (5, -1), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal_int(node.operand)
        return -inner if inner is not None else None
    return None


def keras_rules(tree):
    """What Keras would refuse in the layer calls a fix writes (each returns a message)."""
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        kwargs = {k.arg: k.value for k in node.keywords}
        if name == "Reshape":
            target = node.args[0] if node.args else kwargs.get("target_shape")
            if not isinstance(target, ast.Tuple):
                problems.append("Reshape's target_shape must be a tuple, e.g. (-1,)")
                continue
            dims = [literal_int(e) for e in target.elts]
            if any(isinstance(e, ast.Constant) and e.value is None for e in target.elts):
                problems.append("Reshape's target_shape cannot hold None (use -1 for the one size to infer)")
            if dims.count(-1) > 1:
                problems.append("Reshape's target_shape may hold one -1 only")
            if any(d is not None and (d == 0 or d < -1) for d in dims):
                problems.append("Reshape's target_shape sizes must be positive (or one -1)")
        if name == "Input" and "shape" in kwargs and not isinstance(kwargs["shape"], ast.Tuple):
            problems.append("keras.Input's shape must be a tuple")
        if name in ("Dense", "Embedding") and node.args:
            units = literal_int(node.args[0])
            if units is not None and units < 1:
                problems.append(f"{name}'s size must be positive")
    return problems


def main():
    binary, source = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "fixes.jsonl")
        env = dict(os.environ, FITCHECK_FIXES_OUT=out)
        run = subprocess.run([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if run.returncode != 0:
            print(run.stdout[-4000:])
            print("test_cases failed: fix the cases first")
            return 1
        lines = [json.loads(line) for line in open(out, encoding="utf-8")]

    failures = []
    by_lang = {}
    for fix in lines:
        lang = fix.get("language")
        if lang not in ("python", "javascript", "shell"):
            failures.append(f"{fix['case']} {fix['code']}: no language for {fix['fix']!r}")
            continue
        by_lang.setdefault(lang, {}).setdefault(fix["fix"], fix)

    for code, fix in by_lang.get("python", {}).items():
        try:
            compile(code, f"<{fix['case']} {fix['code']}>", "exec")
        except SyntaxError as e:
            failures.append(f"{fix['case']} {fix['code']}: Python does not parse {code!r}: {e.msg}")
            continue
        for problem in keras_rules(ast.parse(code)):
            failures.append(f"{fix['case']} {fix['code']}: {problem}: {code!r}")

    js = by_lang.get("javascript", {})
    if js:
        node = subprocess.run(["node", "-e", JS_CHECK], input=json.dumps(list(js)), stdout=subprocess.PIPE,
                              text=True, check=True)
        for code, message in json.loads(node.stdout):
            fix = js[code]
            failures.append(f"{fix['case']} {fix['code']}: JavaScript does not parse {code!r}: {message}")

    for code, fix in by_lang.get("shell", {}).items():
        sh = subprocess.run(["bash", "-n"], input=code, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if sh.returncode != 0:
            failures.append(f"{fix['case']} {fix['code']}: bash does not parse {code!r}: {sh.stdout.strip()}")

    catalog = open(os.path.join(source, "core", "findings.def"), encoding="utf-8").read()
    codes = re.findall(r"^FC_FINDING\((\w+),", catalog, re.M)
    rendered = {fix["code"] for fix in lines}
    for code in codes:
        if code not in rendered:
            failures.append(f"{code}: no case renders its fix (add one under tests/cases)")

    counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_lang.items()))
    print(f"{len(lines)} fixes rendered by the cases; distinct: {counts}; {len(codes)} catalog codes")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
