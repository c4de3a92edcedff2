-- agentls for Neovim 0.11+: put this file on your 'runtimepath' as lsp/agentls.lua
-- (for example ~/.config/nvim/lsp/agentls.lua) and call vim.lsp.enable('agentls').
-- Override any field with vim.lsp.config('agentls', { ... }). Docs: docs/editors/neovim.md
--
-- Besides the server command this file adds what stock Neovim 0.11 lacks for agent runs:
--   * workspace/applyEdit that honours change annotations with needsConfirmation: the
--     agent's proposed edits are shown in a confirm() prompt before anything is written,
--     and a versioned edit whose buffer changed meanwhile is refused (not silently dropped);
--   * the client capabilities that tell the server it can send such versioned, annotated edits;
--   * :AgentlsSetApiKey (prompts without echo) and :AgentlsCancel (stops running agents).

---@param edit lsp.WorkspaceEdit
---@return lsp.ChangeAnnotation[] annotations that need confirmation
local function confirmations(edit)
  local anns, out, seen = edit.changeAnnotations or {}, {}, {}
  local function note(id)
    local a = id and anns[id]
    if a and a.needsConfirmation and not seen[id] then
      seen[id] = true
      table.insert(out, a)
    end
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    note(change.annotationId)
    for _, e in ipairs(change.edits or {}) do
      note(e.annotationId)
    end
  end
  for _, edits in pairs(edit.changes or {}) do
    for _, e in ipairs(edits) do
      note(e.annotationId)
    end
  end
  return out
end

--- One line per file: what the edit would do.
---@param edit lsp.WorkspaceEdit
local function summary(edit)
  local lines = {}
  local function rel(uri)
    return vim.fn.fnamemodify(vim.uri_to_fname(uri), ':~:.')
  end
  local function describe(uri, edits)
    local first, last, added = math.huge, -1, 0
    for _, e in ipairs(edits) do
      first = math.min(first, e.range.start.line)
      last = math.max(last, e.range['end'].line)
      added = added + #vim.split(e.newText, '\n', { plain = true }) - 1
    end
    table.insert(
      lines,
      ('  %s: lines %d-%d replaced (%d edit(s), %d line break(s) in the new text)'):format(
        rel(uri),
        first + 1,
        last + 1,
        #edits,
        added
      )
    )
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.kind == 'create' then
      table.insert(lines, '  create ' .. rel(change.uri))
    elseif change.kind == 'rename' then
      table.insert(lines, ('  rename %s -> %s'):format(rel(change.oldUri), rel(change.newUri)))
    elseif change.kind == 'delete' then
      table.insert(lines, '  delete ' .. rel(change.uri))
    elseif change.textDocument then
      describe(change.textDocument.uri, change.edits or {})
    end
  end
  for uri, edits in pairs(edit.changes or {}) do
    describe(uri, edits)
  end
  return table.concat(lines, '\n')
end

--- A versioned edit for a loaded buffer that changed since: the reason to refuse it.
---@param edit lsp.WorkspaceEdit
local function stale(edit)
  for _, change in ipairs(edit.documentChanges or {}) do
    local td = change.textDocument
    if td and td.version and td.version ~= vim.NIL then
      local bufnr = vim.fn.bufnr(vim.uri_to_fname(td.uri))
      if bufnr > 0 and vim.api.nvim_buf_is_loaded(bufnr) then
        local current = vim.lsp.util.buf_versions[bufnr]
        if current and current ~= td.version then
          return ('%s changed since the agent read it'):format(vim.fn.bufname(bufnr))
        end
      end
    end
  end
end

---@type lsp.Handler
local function apply_edit(_, params, ctx)
  local client = assert(vim.lsp.get_client_by_id(ctx.client_id))
  local edit = params.edit
  local why = stale(edit)
  if why then
    vim.notify('agentls: edit not applied: ' .. why, vim.log.levels.WARN)
    return { applied = false, failureReason = why }
  end
  local asks = confirmations(edit)
  if #asks > 0 then
    local head = {}
    for _, a in ipairs(asks) do
      table.insert(head, a.label .. (a.description and (' — ' .. a.description) or ''))
    end
    local msg = ('%s\n%s\nApply these changes?'):format(table.concat(head, '\n'), summary(edit))
    if vim.fn.confirm(msg, '&Apply\n&Cancel', 2, 'Question') ~= 1 then
      return { applied = false, failureReason = 'declined by the user' }
    end
  end
  local ok, err = pcall(vim.lsp.util.apply_workspace_edit, edit, client.offset_encoding)
  return { applied = ok, failureReason = (not ok) and tostring(err) or nil }
end

--- Progress tokens of running agent runs, per client (for :AgentlsCancel).
local running = {} ---@type table<integer, table<integer|string, boolean>>

---@param client vim.lsp.Client
---@param bufnr integer
local function on_attach(client, bufnr)
  vim.api.nvim_buf_create_user_command(bufnr, 'AgentlsSetApiKey', function()
    local key = vim.fn.inputsecret('Anthropic API key (empty clears it): ')
    client:notify('agentls/setApiKey', { apiKey = key ~= '' and key or vim.NIL })
  end, { desc = 'agentls: set the Anthropic API key for agent runs (not stored)' })
  vim.api.nvim_buf_create_user_command(bufnr, 'AgentlsCancel', function()
    for token in pairs(running[client.id] or {}) do
      client:notify('window/workDoneProgress/cancel', { token = token })
    end
  end, { desc = 'agentls: cancel the running agent runs' })
  if running[client.id] == nil then
    running[client.id] = {}
    vim.api.nvim_create_autocmd('LspProgress', {
      group = vim.api.nvim_create_augroup('agentls-progress-' .. client.id, { clear = true }),
      callback = function(ev)
        if ev.data.client_id ~= client.id then
          return
        end
        local p = ev.data.params
        local kind = p.value and p.value.kind
        if kind == 'begin' and p.value.cancellable then
          running[client.id][p.token] = true
        elseif kind == 'end' then
          running[client.id][p.token] = nil
        end
      end,
    })
  end
end

---@type vim.lsp.Config
return {
  cmd = { 'agentls', 'lsp' },
  -- Agent files (markdown) and the configuration (toml: agentls.toml, .agentls.toml and
  -- pyproject.toml's [tool.agentls] are checked, and an open one is the project configuration
  -- as it is typed; other TOML files get nothing), and the programming languages people run
  -- agents on: the agent actions work on a selection in any attached buffer. Diagnostics,
  -- hover and completion stay on agent and configuration files (known by their path).
  filetypes = {
    'markdown', 'toml',
    'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'vue', 'svelte',
    'php', 'go', 'rust', 'java', 'kotlin', 'scala', 'c', 'cpp', 'cs', 'swift', 'objc',
    'ruby', 'elixir', 'erlang', 'haskell', 'ocaml', 'dart', 'lua', 'perl', 'r',
    'sh', 'bash', 'zsh', 'sql', 'html', 'css', 'scss', 'yaml', 'json', 'terraform', 'dockerfile',
  },
  -- .git first: a ~/.claude folder (user agents) must not make $HOME the root of every file.
  -- On 0.11.3+ { { '.git', '.claude', '.github' } } gives them equal priority (nearest wins).
  root_markers = { '.git', '.claude', '.github' },
  -- init_options = { apiKey = ..., defaultModel = ..., agents = { 'backend-engineer' } },
  capabilities = {
    workspace = {
      workspaceEdit = {
        documentChanges = true,
        changeAnnotationSupport = { groupsOnLabel = false },
      },
    },
  },
  handlers = { ['workspace/applyEdit'] = apply_edit },
  on_attach = on_attach,
}
