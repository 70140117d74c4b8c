#!/usr/bin/env python3
"""Generate a synthetic article corpus with injected defects and a ground-truth manifest.

    python bench/generate_corpus.py OUT_DIR --files 10000 --seed 1

Writes OUT_DIR/content/NN/*.md (about 7 KB each: YAML front matter with title, date, draft,
featured_image, summary, tags and main_topics; a Chinese body with footnote references; a block of
footnote definitions citing their sources), OUT_DIR/article.schema.json (a copy of
schemas/article.schema.json), OUT_DIR/corpuslint.toml applying it to every article, and
OUT_DIR/manifest.json listing every diagnostic the offline rules are expected to report, as
(path relative to OUT_DIR, code, line).

Each file gets at most one front-matter defect and at most one footnote defect, each at a line the
generator knows. Files without a defect must produce no diagnostic at all; some of them carry
constructs that a careless parser gets wrong (footnote-like text in code spans and fences,
references in blockquotes and table cells, autolinked sources, `YYYY`/`TODO` in the body).

The output depends only on --files, --seed and --profile (each file has its own random stream, so
the first N files of a larger corpus are the same as the files of a smaller one).

`--profile dense` writes prose as dense in typography findings as real scraped articles (samples
002/003 of ../shared/samples carry 17-18 half-width marks in CJK context per KB, a few reversed
curly quotes and a block of site boilerplate at the end): about a third of the full-width commas
and colons become half-width, some parentheses and `?`/`!` too, a few quotation marks are
reversed, and a trailing block of invented scrape residue (copyright line, end marker, share and
comment widgets) follows the body. The injected FM/FN defects and their lines are the same kind
as in the clean profile; TY/SR findings are not in the manifest (the bench scores FM and FN).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schemas" / "article.schema.json"

FM_CODES = ("FM001", "FM002", "FM003", "FM004", "FM005")
FN_CODES = ("FN001", "FN002", "FN003", "FN004", "FN005")
# Probability that a file gets a front-matter defect / a footnote defect (one code, uniformly).
FM_RATE = 0.25
FN_RATE = 0.25

# --- vocabulary (invented for this benchmark) --------------------------------------------------

ORGS = [
    "星河智能",
    "蓝鲸云",
    "青松科技",
    "远航数据",
    "北辰实验室",
    "灵犀模型",
    "晨光芯片",
    "海岸计算",
    "松果机器人",
    "天枢研究院",
    "Nimbus Labs",
    "Orbital AI",
    "Quanta Systems",
    "Helix Cloud",
]
TOPICS = [
    "大模型",
    "推理芯片",
    "开源生态",
    "端侧智能",
    "数据治理",
    "多模态检索",
    "智能体平台",
    "云端算力",
    "编程助手",
    "企业知识库",
    "模型评测",
    "隐私计算",
    "自动驾驶",
    "语音交互",
]
VERBS = [
    "正在加速布局",
    "宣布全面升级",
    "悄然调整了",
    "重新定义了",
    "大幅投入",
    "公开展示了",
    "持续押注",
    "首次开放了",
    "低调测试了",
    "计划收缩",
]
ADVERBS = [
    "据知情人士透露，",
    "从公开资料看，",
    "值得注意的是，",
    "事实上，",
    "与此同时，",
    "业内普遍认为，",
    "",
]
CLAUSES = [
    "这一变化背后是成本结构的深刻重塑",
    "其影响很可能会延伸到整个上下游产业链",
    "而竞争对手对此的回应显得相当谨慎",
    "不少开发者在社区里表达了复杂的情绪",
    "分析人士认为这只是更大战略的第一步",
    "监管层面的不确定性仍然是最大的变量",
    "用户体验的提升才是衡量成败的真正标准",
    "资本市场对这一消息的反应可谓喜忧参半",
    "这让原本清晰的市场格局再次变得模糊",
    "短期内的收入贡献或许并不显著",
]
HEADINGS = [
    "技术路线的分歧",
    "商业模式的再思考",
    "生态伙伴的选择",
    "监管与合规的挑战",
    "用户与开发者的反应",
    "算力成本的账本",
    "下一步的悬念",
    "竞争格局的演变",
    "从实验室到产品",
    "长期主义的代价",
]
SITES = ["科技观察", "数字前沿", "未来商业评论", "云端日报", "智能周刊", "极客视界", "产业研究"]
DOMAINS = [
    "www.example.com",
    "news.example.org",
    "tech.example.net",
    "blog.example.cn",
    "zhuanlan.example.com",
]
AUTHORS = ["林晓", "周明远", "陈思", "Alex Chen", "王一凡", "编辑部", ""]
IMAGES = [
    '"images/default ({n}).png"',
    '"/newsimages/selected_image_2025-06-Jun {d}, 2025_17-01-{n:02d}-492.jpg"',
    "images/cover-{n}.webp",
]


def _sentence_pool(rng: random.Random, size: int = 1500) -> list[str]:
    pool = []
    for _ in range(size):
        org, other = rng.sample(ORGS, 2)
        pool.append(
            f"{rng.choice(ADVERBS)}{org}{rng.choice(VERBS)}{rng.choice(TOPICS)}业务，"
            f"并与{other}在{rng.choice(TOPICS)}领域形成了新的竞合关系，{rng.choice(CLAUSES)}"
        )
    return pool


# --- one article -------------------------------------------------------------------------------


@dataclass
class Article:
    lines: list[str] = field(default_factory=list)
    expected: list[tuple[str, int]] = field(default_factory=list)  # (code, 1-based line)

    def add(self, line: str = "") -> int:
        self.lines.append(line)
        return len(self.lines)

    def expect(self, code: str, line: int) -> None:
        self.expected.append((code, line))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _date(rng: random.Random) -> tuple[str, int, int, int]:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    hour, minute, second = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    stamp = f"2025-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}+08:00"
    return stamp, 2025, month, day


def _front_matter(art: Article, rng: random.Random, pool: list[str], defect: str | None) -> tuple[int, int]:
    """Write the front matter; return (month, day) for citations."""
    stamp, _, month, day = _date(rng)
    org = rng.choice(ORGS)
    title = f"{org}的{rng.choice(TOPICS)}新棋局：{rng.choice(HEADINGS)}与{rng.choice(HEADINGS)}"
    summary = "；".join(rng.sample(pool, 2)) + "。"
    image = rng.choice(IMAGES).format(n=rng.randint(1, 40), d=day)
    tags = rng.sample(ORGS + TOPICS, rng.randint(3, 8))
    topics = rng.sample(TOPICS, rng.randint(1, 3))
    variant = rng.randrange(3)

    if defect == "FM001":
        # No front matter at all: the title is the first line of the body (reported at 1:1).
        art.add(title)
        art.add()
        art.expect("FM001", 1)
        return month, day

    art.add("---")
    if defect == "FM002" and variant == 0:
        # `a: b: c`: a colon-space inside a plain scalar.
        art.expect("FM002", art.add(f"title: {org}: {title}"))
    else:
        art.add(f"title: {title}")
    if defect == "FM003" and variant == 1:
        art.expect("FM003", art.add("date: 昨天"))
    else:
        art.add(f"date: {stamp}")
    if defect == "FM003" and variant == 2:
        art.expect("FM003", art.add('draft: "no"'))
    else:
        art.add("draft: false")
    if defect == "FM002" and variant == 1:
        # An indented key under a scalar value.
        art.expect("FM002", art.add("  featured: true"))
    if defect == "FM005" and variant != 2:
        art.expect(
            "FM005", art.add(f'featured_image: "/newsimages/selected_image_YYYY-{month:02d}-{day:02d}.jpg"')
        )
    else:
        art.add(f"featured_image: {image}")
    if defect == "FM005" and variant == 2:
        art.expect("FM005", art.add("summary: TODO：补充摘要"))
    else:
        art.add(f"summary: {summary}")
    if defect == "FM003" and variant == 0:
        art.expect("FM003", art.add(f"tags: {tags[0]}"))
    elif defect == "FM002" and variant == 2:
        # An unclosed flow sequence: the parser notices at the next key.
        art.add(f"tags: [{', '.join(tags)}")
    else:
        art.add("tags: " if rng.random() < 0.5 else "tags:")
        for tag in tags:
            art.add(f"  - {tag}")
    line = art.add("main_topics:")
    if defect == "FM002" and variant == 2:
        art.expect("FM002", line)
    for topic in topics:
        art.add(f"  - {topic}")
    if defect == "FM004":
        key = ("title", "draft", "summary")[variant]
        value = {"title": title, "draft": "true", "summary": summary}[key]
        art.expect("FM004", art.add(f"{key}: {value}"))
    art.add("---")
    art.add()
    return month, day


def _reference_sequence(rng: random.Random, n: int, swap_at: int | None) -> list[list[int]]:
    """Groups of labels, one group per citing sentence. First occurrences run 1..n, except that with
    `swap_at=k` the group introducing k is `[k+1, k]` (both on one line)."""
    groups: list[list[int]] = []
    label = 1
    while label <= n:
        if swap_at == label:
            groups.append([label + 1, label])
            label += 2
        else:
            groups.append([label])
            label += 1
        for _ in range(rng.randint(0, 2)):
            groups.append([rng.randint(1, label - 1)])
    return groups


def _citation(rng: random.Random, month: int, day: int, with_url: bool, autolink: bool) -> str:
    author = rng.choice(AUTHORS)
    title = f"{rng.choice(ORGS)}{rng.choice(VERBS)}{rng.choice(TOPICS)}"
    site = rng.choice(SITES)
    when = f"2025/{month}/{day}"
    url = f"https://{rng.choice(DOMAINS)}/p/{rng.getrandbits(52)}"
    if not with_url:
        return f"{author}（{when}）。{title}。{site}。检索日期{when}。"
    if autolink:
        return f"{author}（{when}）。{title}。<{url}>。{site}。检索日期{when}。"
    if rng.random() < 0.3:
        return f"[{title}]({url})·{site}·{author}（{when}）·检索日期{when}"
    return f"{author}（{when}）。[{title}]({url})。{site}。检索日期{when}。"


def _body(
    art: Article, rng: random.Random, pool: list[str], defect: str | None, month: int, day: int
) -> None:
    n = rng.randint(3, 7)
    swap_at = rng.randint(1, n - 1) if defect == "FN005" else None
    groups = _reference_sequence(rng, n, swap_at)
    undefined = n + 1 if defect == "FN001" else None
    tricky = rng.random() < 0.3  # code spans, fences, tables, quoted references

    # Lead paragraph in a blockquote.
    art.add("> " + "。".join(rng.sample(pool, 2)) + "。")
    art.add()

    paragraphs = rng.randint(5, 9)
    # Spread the citing sentences over the paragraphs, in order.
    per_paragraph = [[] for _ in range(paragraphs)]
    for index, group in enumerate(groups):
        per_paragraph[min(paragraphs - 1, index * paragraphs // len(groups))].append(group)
    tricks = ["code", "fence", "table", "quote"] if tricky else []
    rng.shuffle(tricks)
    seen: list[int] = []  # labels already referenced, in order: tricks cite only these
    for p, cited in enumerate(per_paragraph):
        if p and p % 3 == 0:
            art.add(f"### {rng.choice(HEADINGS)}")
            art.add()
        sentences = rng.sample(pool, max(4, len(cited) + 1))
        parts = []
        for s, sentence in enumerate(sentences):
            refs = ""
            if s < len(cited):
                refs = "".join(f"[^{label}]" for label in cited[s])
                seen.extend(label for label in cited[s] if label not in seen)
            parts.append(f"{sentence}{refs}。")
        trick = tricks.pop() if tricks and p in (1, 3, 5, 7) else None
        if trick == "code":
            parts.insert(1, "在 Markdown 里，脚注写作 `[^99]`，日期占位符写作 `YYYY-MM-DD`。")
        line = art.add("".join(parts))
        if any(len(group) > 1 for group in cited):
            art.expect("FN005", line)  # the group [k+1, k]: k+1 is cited before k
        art.add()
        if trick == "fence":
            art.add("```markdown")
            art.add("正文里的引用[^42]不算数。")
            art.add("")
            art.add("[^42]: 代码块里的定义也不算数，TODO 也不是占位符。")
            art.add("```")
            art.add()
        elif trick == "table":
            art.add("| 公司 | 领域 | 来源 |")
            art.add("| --- | --- | --- |")
            for label in seen[:2] if len(seen) >= 2 else [None, None]:
                source = f"见[^{label}]" if label else "—"
                art.add(f"| {rng.choice(ORGS)} | {rng.choice(TOPICS)} | {source} |")
            art.add()
        elif trick == "quote" and seen:
            art.add(f"> {rng.choice(pool)}[^{seen[-1]}]。")
            art.add(">")
            art.add(f"> {rng.choice(pool)}。")
            art.add()
    if undefined is not None:
        art.expect("FN001", art.add(f"{rng.choice(pool)}[^{undefined}]。"))
        art.add()

    art.add(rng.choice(["## 引用", "## 参考资料", "## 参考文献"]))
    art.add()
    no_url = rng.randint(1, n) if defect == "FN004" else None
    duplicate = rng.randint(1, n) if defect == "FN003" else None
    for label in range(1, n + 1):
        line = art.add(
            f"[^{label}]: " + _citation(rng, month, day, label != no_url, tricky and rng.random() < 0.2)
        )
        if label == no_url:
            art.expect("FN004", line)
        if label == duplicate:
            art.expect("FN003", art.add(f"[^{label}]: " + _citation(rng, month, day, True, False)))
    if defect == "FN002":
        art.expect("FN002", art.add(f"[^{n + 1}]: " + _citation(rng, month, day, True, False)))


PROFILES = ("clean", "dense")
# Invented boilerplate of the kinds scrapers leave (SR001), one line each.
RESIDUE = [
    "版权所有 © 2025 示例资讯网 保留所有权利",
    "- THE END -",
    "点赞 | 分享 | 收藏",
    "暂无评论",
    "请登录后发表评论",
    "如有侵权请联系本站删除",
    "更新时间：2025-06-17 10:30",
]


def _densify(line: str, rng: random.Random) -> str:
    """A prose line with most full-width punctuation made half-width and a quote reversed."""
    if not line or line.startswith(("[^", "#", "|", "```", "    ")):
        return line
    if rng.random() < 0.15 and "，并与" in line:
        line = line.replace("，并与", "，”并与“", 1)
    out = []
    for char in line:
        if char == "，" and rng.random() < 0.95:
            char = rng.choice([",", ", "])
        elif char == "：" and rng.random() < 0.8:
            char = ":"
        elif char == "、" and rng.random() < 0.5:
            char = ","
        elif char == "。" and rng.random() < 0.45:
            char = rng.choice(["?", "!", ";"])
        out.append(char)
    text = "".join(out)
    for word in ("业务", "领域", "关系", "市场", "模型"):
        cut = text.find(word)
        if cut > 0 and rng.random() < 0.8:
            text = text[:cut] + f"({word})" + text[cut + 2 :]
    return text


def make_article(
    seed: int, index: int, pool: list[str], profile: str = "clean"
) -> tuple[str, str, list[tuple[str, int]]]:
    """Return (relative path, text, expected diagnostics) of article `index`."""
    rng = random.Random(seed * 1_000_003 + index)
    fm_defect = rng.choice(FM_CODES) if rng.random() < FM_RATE else None
    fn_defect = rng.choice(FN_CODES) if rng.random() < FN_RATE else None
    art = Article()
    month, day = _front_matter(art, rng, pool, fm_defect)
    body_start = len(art.lines)
    _body(art, rng, pool, fn_defect, month, day)
    if profile == "dense":
        dense = random.Random(f"dense:{seed}:{index}")
        for i in range(body_start, len(art.lines)):
            art.lines[i] = _densify(art.lines[i], dense)
        # the residue block goes before the references heading: a scraper keeps the page's order
        heading = max(i for i, line in enumerate(art.lines) if line.startswith("## "))
        block = dense.sample(RESIDUE, dense.randint(3, 5)) + [""]
        art.lines[heading:heading] = block
        art.expected = [(code, line + len(block) if line > heading else line) for code, line in art.expected]
    path = f"content/{index // 1000:02d}/{index:05d}_{rng.getrandbits(32):08x}.md"
    return path, art.text(), art.expected


CONFIG = """\
# Written by bench/generate_corpus.py: every article is checked against the article schema.
[[schemas]]
files = ["**/*.md"]
schema = "article.schema.json"
"""


def generate(out_dir: Path, files: int, seed: int, schema: Path = SCHEMA, profile: str = "clean") -> dict:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / "content").exists():
        shutil.rmtree(out_dir / "content")
    pool = _sentence_pool(random.Random(seed))
    diagnostics = []
    made_dirs: set[Path] = set()
    clean = 0
    size = 0
    for index in range(files):
        path, text, expected = make_article(seed, index, pool, profile)
        target = out_dir / path
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        data = text.encode("utf-8")
        size += len(data)
        target.write_bytes(data)
        if not expected:
            clean += 1
        diagnostics.extend({"path": path, "code": code, "line": line} for code, line in expected)
    if schema.is_file():
        shutil.copyfile(schema, out_dir / "article.schema.json")
    else:
        print(f"warning: {schema} not found; FM003 will not be checked", file=sys.stderr)
    (out_dir / "corpuslint.toml").write_text(CONFIG, encoding="utf-8")
    manifest = {
        "seed": seed,
        "profile": profile,
        "files": files,
        "clean_files": clean,
        "bytes": size,
        "counts": dict(sorted(Counter(d["code"] for d in diagnostics).items())),
        "diagnostics": diagnostics,
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--schema", type=Path, default=SCHEMA, help="JSON Schema copied into OUT_DIR")
    parser.add_argument("--profile", choices=PROFILES, default="clean", help="clean or dense prose")
    args = parser.parse_args(argv)
    manifest = generate(args.out_dir, args.files, args.seed, args.schema, args.profile)
    print(
        f"{args.files} files ({manifest['bytes'] / args.files / 1024:.1f} KB average, "
        f"{manifest['clean_files']} clean), {len(manifest['diagnostics'])} expected diagnostics "
        f"in {args.out_dir}/manifest.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
