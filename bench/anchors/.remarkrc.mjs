// remark-lint anchor for bench/run_offline.py: front matter against the article schema, plus the
// reference rules. Run with the corpus directory as the working directory: the schema path and
// the glob are resolved from there (the corpus holds a copy of the schema).
import remarkFrontmatter from 'remark-frontmatter'
import remarkGfm from 'remark-gfm'
import remarkLint from 'remark-lint'
import remarkLintFrontmatterSchema from 'remark-lint-frontmatter-schema'
import remarkLintNoDuplicateDefinitions from 'remark-lint-no-duplicate-definitions'
import remarkLintNoUndefinedReferences from 'remark-lint-no-undefined-references'
import remarkLintNoUnusedDefinitions from 'remark-lint-no-unused-definitions'

const config = {
  plugins: [
    remarkFrontmatter,
    remarkGfm,
    remarkLint,
    [remarkLintFrontmatterSchema, {schemas: {'./anchor.schema.json': ['**/*.md']}}],
    remarkLintNoUndefinedReferences,
    remarkLintNoUnusedDefinitions,
    remarkLintNoDuplicateDefinitions
  ]
}

export default config
