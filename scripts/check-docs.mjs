// `npm run check:docs`: the API reference is complete. Runs TypeDoc with typedoc.json (nothing is
// written) and fails on its validation warnings: a public export or member without a doc comment,
// a broken {@link}, a public signature using a type that is not exported. Then checks what
// TypeDoc cannot: every export of every entry point shows an `@example`.
import { Application, ReflectionKind } from 'typedoc'

const app = await Application.bootstrapWithPlugins({ emit: 'none' })
const project = await app.convert()
if (!project) {
  console.log('FAIL: TypeDoc could not convert the project')
  process.exit(1)
}
const warningsBefore = app.logger.warningCount
app.validate(project)
const validationFailed = app.logger.hasErrors() || app.logger.warningCount > warningsBefore

// With several entry points the project's children are the modules (index, react, vue).
const modules = project.children?.every((child) => child.kindOf(ReflectionKind.Module)) ? project.children : [project]
const withoutExample = modules.flatMap((module) =>
  (module.children ?? [])
    // A re-export is documented where it is declared.
    .filter((exported) => !exported.kindOf(ReflectionKind.Reference))
    .filter((exported) => ![exported.comment, ...(exported.signatures ?? []).map((s) => s.comment)].some((c) => c?.getTag('@example')))
    .map((exported) => `${module.name}.${exported.name} (${ReflectionKind.singularString(exported.kind)})`),
)
for (const name of withoutExample) console.log(`FAIL: ${name} has no @example`)

const exports = modules.reduce((count, module) => count + (module.children?.length ?? 0), 0)
console.log(`${exports} exports in ${modules.length} entry points: ${validationFailed ? 'TypeDoc validation FAILED (warnings above)' : 'all documented'}; ${withoutExample.length} without @example`)
if (validationFailed || withoutExample.length) process.exitCode = 1
