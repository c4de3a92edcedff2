"""agentls's own configuration: the project file, its policy, suppression comments."""
