"""agentls's own configuration: the project file, its policy, suppression comments.

The names below are read by the Claude Code hook before anything else is imported (a
configuration decides whether a file is checked): this module imports nothing.
"""

PYPROJECT = "pyproject.toml"
# the file names of a configuration, in the order they win when a folder holds several
FILE_NAMES = (".agentls.toml", "agentls.toml", PYPROJECT)
# the folder holding one of these is a project root: the search for a configuration ends there
PROJECT_MARKERS = (".git", ".hg")
