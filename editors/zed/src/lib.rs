//! Zed extension for agentls: starts `agentls lsp` (stdio).
//!
//! The command is `lsp.agentls.binary.path` / `.arguments` from Zed's settings when set,
//! else `agentls` found on the worktree's PATH. Docs: docs/editors/zed.md
use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct Agentls;

impl zed::Extension for Agentls {
    fn new() -> Self {
        Agentls
    }

    fn language_server_command(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree("agentls", worktree)
            .ok()
            .and_then(|s| s.binary);
        let command = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which("agentls"))
            .ok_or_else(|| {
                "agentls not found: pipx install its wheel (docs/editors/zed.md), or set lsp.agentls.binary.path"
                    .to_string()
            })?;
        let args = binary
            .and_then(|b| b.arguments)
            .unwrap_or_else(|| vec!["lsp".to_string()]);
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree("agentls", worktree)
            .ok()
            .and_then(|s| s.initialization_options))
    }
}

zed::register_extension!(Agentls);
