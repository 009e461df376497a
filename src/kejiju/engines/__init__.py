"""Pure-Python engines: rules, validators, solvers and builders. No Django imports (checked by
import-linter), so they are tested with plain vectors and reused from the CLI and services."""
