-- agentls for Neovim 0.11+: put this file on your 'runtimepath' as lsp/agentls.lua
-- (for example ~/.config/nvim/lsp/agentls.lua) and call vim.lsp.enable('agentls').
-- Override any field with vim.lsp.config('agentls', { ... }). Docs: docs/editors/neovim.md
--
-- Besides the server command this file adds what stock Neovim 0.11 lacks for agent runs:
--   * workspace/applyEdit that honours change annotations with needsConfirmation: the
--     agent's proposed edits are shown in a confirm() prompt before anything is written,
--     and a versioned edit whose buffer changed meanwhile is refused (not silently dropped);
--   * the client capabilities that tell the server it can send such versioned, annotated edits;
--   * :AgentlsSetApiKey (prompts without echo) and :AgentlsCancel (stops running agents);
--   * :'<,'>AgentlsAsk {text} (ask an agent about the lines) and :AgentlsFollowUp {text}
--     (continue the last conversation): the answer streams into a split, tool calls and the
--     runtime's notes on their own lines, tokens, time and estimated cost at the end;
--   * :AgentlsRuns (the runs the server keeps for this workspace: Neovim's, agentls run's and
--     other editors'; pick one to show its conversation again and make it the one
--     :AgentlsFollowUp continues) and
--     :AgentlsApply [run] (apply a kept proposal as it was shown, without a model call; the
--     server refuses when a file changed since the run).
--
-- It attaches to Markdown and TOML (agent files, agentls.toml, pyproject.toml) and to common
-- programming languages, so that agents can run on code; the agent-file features (checks,
-- completion, hover) stay on agent files: the server decides which file is one.

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

-- ------------------------------------------------------------------ asking agents

--- The end-of-run line, as VS Code's Results view shows it.
---@param r table a RunAgentResult
---@return string
local function usage_line(r)
  local parts = {}
  local u = r.usage
  if type(u) == 'table' then
    table.insert(
      parts,
      ('Tokens: %d in, %d out, %d cache read, %d cache write'):format(
        u.input_tokens or 0,
        u.output_tokens or 0,
        u.cache_read_input_tokens or 0,
        u.cache_creation_input_tokens or 0
      )
    )
  end
  if type(r.wallSeconds) == 'number' then
    -- as the server's pricing.format_seconds: under a second in ms (0.04 s read "0.0 s")
    local w = r.wallSeconds
    table.insert(parts, w >= 1 and ('%.1f s'):format(w) or ('%d ms'):format(math.floor(w * 1000 + 0.5)))
  end
  if type(r.cost) == 'string' then -- as the server's one formatter wrote it
    local cost = '~' .. r.cost
    if type(r.pricesAsOf) == 'string' then
      cost = cost .. (' (prices of %s)'):format(r.pricesAsOf)
    end
    table.insert(parts, cost)
  elseif type(u) == 'table' then
    table.insert(parts, 'cost unknown for this model')
  end
  return table.concat(parts, ' · ')
end

--- Runs started by :AgentlsAsk / :AgentlsFollowUp: their output goes to the conversation
--- buffer (code-action runs keep their result document).
local asked = {} ---@type table<string, { buf: integer, conversation: string?, request: integer? }>
local last_conversation ---@type string?
local conversation_buf ---@type integer?

-- ------------------------------------------------------------------ kept runs
-- The server keeps every run (record and result document, in the user's cache folder) and
-- lists them with agentls/runs: Neovim's, agentls run's and other editors', newest first.

local RUNS_LISTED = 50 -- in :AgentlsRuns and the completion of :AgentlsApply

--- One kept run (a RunInfo) as :AgentlsRuns lists it; the run id last, in brackets.
---@param r table
---@return string
local function run_title(r)
  local first, last = r.lines[1], r.lines[2]
  local lines = first == last and tostring(first) or ('%d-%d'):format(first, last)
  local task = (r.task or ''):sub(1, 1):upper() .. (r.task or ''):sub(2)
  local prompt = type(r.prompt) == 'string' and (' "' .. r.prompt .. '"') or ''
  local status = r.status
  if (r.proposals or 0) > 0 then
    status = status .. (', %d change(s)%s'):format(r.proposals, r.applied == true and ' applied' or '')
  end
  if r.source == 'cli' then
    status = status .. ', agentls run'
  end
  local cost = type(r.cost) == 'string' and ('~' .. r.cost) or 'cost unknown'
  local when = (r.started or ''):sub(1, 16):gsub('T', ' ')
  return ('%s  %s: %s %s:%s%s  (%s, %s)  [%s]'):format(when, r.agent, task, r.path, lines, prompt, status, cost, r.runId)
end

--- The conversation buffer, shown in a split that does not take the cursor.
---@return integer
local function conversation_window()
  if not (conversation_buf and vim.api.nvim_buf_is_valid(conversation_buf)) then
    conversation_buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(conversation_buf, 'agentls://conversation')
    vim.bo[conversation_buf].bufhidden = 'hide'
    vim.bo[conversation_buf].syntax = 'markdown'
  end
  if vim.fn.bufwinid(conversation_buf) == -1 then
    local cur = vim.api.nvim_get_current_win()
    vim.cmd('botright split')
    vim.api.nvim_win_set_buf(0, conversation_buf)
    vim.wo.wrap = true
    vim.api.nvim_set_current_win(cur)
  end
  return conversation_buf
end

--- Appends text to the conversation buffer: `text` continues the last line (streamed answer
--- text), `lines` start on lines of their own (tools, notes, the usage line).
---@param buf integer
---@param text string?
---@param lines string[]?
local function append(buf, text, lines)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  if text and text ~= '' then
    local parts = vim.split(text, '\n', { plain = true })
    local last = vim.api.nvim_buf_get_lines(buf, -2, -1, false)[1] or ''
    parts[1] = last .. parts[1]
    vim.api.nvim_buf_set_lines(buf, -2, -1, false, parts)
  end
  if lines and #lines > 0 then
    local last = vim.api.nvim_buf_get_lines(buf, -2, -1, false)[1] or ''
    local out = vim.deepcopy(lines)
    if last ~= '' then
      table.insert(out, 1, last)
    end
    table.insert(out, '')
    vim.api.nvim_buf_set_lines(buf, -2, -1, false, out)
  end
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

---@type lsp.Handler
local function run_output(_, params, _)
  local kind = params.kind
  local run = asked[params.runId]
  if not run then
    return
  end
  if kind == 'start' then
    run.conversation = params.conversation or run.conversation
    append(run.buf, nil, { '-- ' .. params.text })
  elseif kind == 'end' and params.text == 'cancelled' then
    -- a run cancelled by :AgentlsCancel ($/cancelRequest) gets no answer: this is its end,
    -- with what it took and cost (the tokens the API streamed are billed)
    asked[params.runId] = nil
    local lines = { 'cancelled; nothing was applied.' }
    local usage = usage_line(params)
    if usage ~= '' then
      table.insert(lines, '-- ' .. usage)
    end
    append(run.buf, nil, lines)
  elseif kind == 'delta' then
    append(run.buf, params.text)
  elseif kind == 'tool' then
    append(run.buf, nil, { 'tool ' .. params.text })
  elseif kind == 'note' then
    append(run.buf, nil, { 'note: ' .. params.text })
  elseif kind == 'error' then
    append(run.buf, nil, { 'error: ' .. params.text })
  end
end

--- A run's proposals as diffs, with what became of them.
---@param r table a RunAgentResult
---@return string[]
local function proposal_lines(r)
  local lines = {}
  local proposals = r.proposals ~= vim.NIL and r.proposals or {}
  for _, p in ipairs(proposals) do
    table.insert(lines, ('proposed change to %s (run %s):'):format(p.path, r.runId))
    vim.list_extend(lines, vim.split(p.diff, '\n', { plain = true }))
  end
  if #proposals > 0 and r.applied ~= true then
    table.insert(lines, ('not applied: :AgentlsApply %s applies it as shown'):format(r.runId))
  end
  return lines
end

local run_counter = 0

--- Sends agentls/runAgent for :AgentlsAsk / :AgentlsFollowUp and shows what comes back.
---@param client vim.lsp.Client
---@param params table
---@param heading string
local function ask(client, params, heading)
  run_counter = run_counter + 1
  params.runId = ('nvim-%d-%d'):format(vim.uv.hrtime() % 1e9, run_counter)
  local buf = conversation_window()
  append(buf, nil, { '> ' .. heading })
  local run = { buf = buf, conversation = params.conversation, prompt = params.prompt }
  asked[params.runId] = run
  local _, request = client:request('agentls/runAgent', params, function(err, result)
    local run = asked[params.runId]
    asked[params.runId] = nil
    if err or not result then
      local msg = err and err.message or 'no answer'
      append(buf, nil, { 'error: ' .. msg })
      vim.notify('agentls: the agent run failed: ' .. msg, vim.log.levels.ERROR)
      return
    end
    last_conversation = result.conversation ~= vim.NIL and result.conversation
      or (run and run.conversation)
      or result.runId
    local lines = proposal_lines(result)
    if result.status ~= 'done' and result.message ~= vim.NIL and result.message then
      table.insert(lines, ('%s: %s'):format(result.status, result.message))
    end
    local usage = usage_line(result)
    if usage ~= '' then
      table.insert(lines, '-- ' .. usage)
    end
    append(buf, nil, lines)
    local level = result.status == 'done' and vim.log.levels.INFO or vim.log.levels.WARN
    local agent = type(result.agent) == 'string' and result.agent or 'agent'
    vim.notify(('agentls: %s %s. %s'):format(agent, tostring(result.status), usage), level)
  end, vim.api.nvim_get_current_buf())
  run.request = request
end

--- The agentls client of the current buffer, else any agentls client.
---@return vim.lsp.Client?
local function current_client()
  local c = vim.lsp.get_clients({ bufnr = 0, name = 'agentls' })[1] or vim.lsp.get_clients({ name = 'agentls' })[1]
  if not c then
    vim.notify('agentls: the language server is not attached here.', vim.log.levels.ERROR)
  end
  return c
end

--- The agent to ask: vim.g.agentls_agent, else the only runnable agent, else a menu.
---@param client vim.lsp.Client
---@param bufnr integer
---@param then_ fun(name: string)
local function choose_agent(client, bufnr, then_)
  if type(vim.g.agentls_agent) == 'string' and vim.g.agentls_agent ~= '' then
    return then_(vim.g.agentls_agent)
  end
  client:request('agentls/agents', {}, function(err, result)
    local names, seen = {}, {}
    for _, a in ipairs((not err and result and result.agents) or {}) do
      if a.loads and not seen[a.name] then
        seen[a.name] = true
        table.insert(names, a.name)
      end
    end
    if #names == 0 then
      vim.notify('agentls: no agent to run (set vim.g.agentls_agent).', vim.log.levels.ERROR)
    elseif #names == 1 then
      then_(names[1])
    else
      vim.ui.select(names, { prompt = 'agentls: ask which agent?' }, function(name)
        if name then
          then_(name)
        end
      end)
    end
  end, bufnr)
end

--- :[range]AgentlsAsk {text}
local function ask_command(opts)
  local client = current_client()
  if not client then
    return
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local first, last = opts.line1 - 1, opts.line2 - 1
  local last_text = vim.api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1] or ''
  local range = {
    start = { line = first, character = 0 },
    ['end'] = { line = last, character = vim.str_utfindex(last_text, client.offset_encoding) },
  }
  local params = {
    uri = vim.uri_from_bufnr(bufnr),
    range = range,
    version = vim.lsp.util.buf_versions[bufnr],
    prompt = opts.args,
  }
  choose_agent(client, bufnr, function(agent)
    params.agent = agent
    ask(client, params, ('%s, lines %d-%d: %s'):format(agent, first + 1, last + 1, opts.args))
  end)
end

--- :AgentlsFollowUp {text}
local function follow_up_command(opts)
  local client = current_client()
  if not client then
    return
  end
  if not last_conversation then
    vim.notify('agentls: no conversation yet: ask first with :AgentlsAsk.', vim.log.levels.WARN)
    return
  end
  ask(client, { conversation = last_conversation, prompt = opts.args }, opts.args)
end

--- Shows a kept conversation again in the conversation split (its runs, oldest first) and
--- makes it the one :AgentlsFollowUp continues.
---@param client vim.lsp.Client
---@param run_id string any run of the conversation
---@param done fun(result: table)?
local function show_conversation(client, run_id, done)
  client:request('agentls/conversation', { conversation = run_id }, function(err, result)
    if err or not result then
      local msg = err and err.message or 'no answer'
      vim.notify(('agentls: cannot show run %s: %s'):format(run_id, msg), vim.log.levels.ERROR)
      return
    end
    if #(result.runs or {}) == 0 then -- pruned by the server (it keeps the last 500 per workspace)
      vim.notify(('agentls: run %s is not kept any more.'):format(run_id), vim.log.levels.WARN)
      return
    end
    local buf = conversation_window()
    local lines = { ('== conversation %s (%d run(s))'):format(result.conversation, #result.runs) }
    for _, r in ipairs(result.runs) do
      local what = (r.prompt ~= vim.NIL and r.prompt) or r.task or ''
      table.insert(lines, ('> %s: %s   [run %s, %s]'):format(r.agent or 'agent', what, r.runId, r.status))
      for _, t in ipairs(r.tools or {}) do
        table.insert(lines, 'tool ' .. t)
      end
      vim.list_extend(lines, vim.split(r.text or '', '\n', { plain = true }))
      vim.list_extend(lines, proposal_lines(r))
      if r.applied == true then
        table.insert(lines, 'applied')
      end
      local usage = usage_line(r)
      if usage ~= '' then
        table.insert(lines, '-- ' .. usage)
      end
    end
    append(buf, nil, lines)
    last_conversation = result.conversation
    if done then
      done(result)
    end
  end)
end

--- :AgentlsRuns: the kept runs of this workspace (agentls/runs), newest first; the one
--- chosen is shown.
local function runs_command()
  local client = current_client()
  if not client then
    return
  end
  local params = { limit = RUNS_LISTED }
  if vim.bo.buftype == '' and vim.api.nvim_buf_get_name(0) ~= '' then
    params.uri = vim.uri_from_bufnr(0) -- a file of its own project: that project's runs too
  end
  client:request('agentls/runs', params, function(err, result)
    if err or not result then
      local msg = err and err.message or 'no answer'
      vim.notify('agentls: the runs cannot be listed: ' .. msg, vim.log.levels.ERROR)
      return
    end
    if #result.runs == 0 then
      vim.notify('agentls: no agent run kept for this workspace yet.', vim.log.levels.INFO)
      return
    end
    local prompt = 'agentls: show which run?'
    if (result.skipped or 0) > 0 then
      prompt = ('agentls: show which run? (%d unreadable record(s) left out)'):format(result.skipped)
    end
    vim.ui.select(result.runs, { prompt = prompt, format_item = run_title }, function(r)
      if r then
        show_conversation(client, r.runId)
      end
    end)
  end)
end

---@param client vim.lsp.Client
---@param run_id string
local function apply_run(client, run_id)
  client:request('agentls/applyProposal', { runId = run_id }, function(err, result)
    local msg = err and err.message or (result and result.message ~= vim.NIL and result.message)
    local applied = not err and result and result.applied
    msg = msg or (applied and 'applied' or 'not applied')
    if conversation_buf and vim.api.nvim_buf_is_valid(conversation_buf) then
      append(conversation_buf, nil, { ('apply run %s: %s'):format(run_id, msg) })
    end
    vim.notify('agentls: ' .. msg, applied and vim.log.levels.INFO or vim.log.levels.WARN)
  end)
end

--- :AgentlsApply [run]: a kept proposal, as it was shown; no run: the newest run of the
--- current conversation whose proposal was not applied.
local function apply_command(opts)
  local client = current_client()
  if not client then
    return
  end
  if opts.args ~= '' then
    return apply_run(client, opts.args)
  end
  if not last_conversation then
    vim.notify('agentls: which run? :AgentlsApply {run}, or pick one with :AgentlsRuns.', vim.log.levels.WARN)
    return
  end
  client:request('agentls/conversation', { conversation = last_conversation }, function(err, result)
    local pick
    for _, r in ipairs((not err and result and result.runs) or {}) do
      if #(r.proposals or {}) > 0 and r.applied ~= true then
        pick = r.runId -- oldest first: the last one found is the newest
      end
    end
    if pick then
      apply_run(client, pick)
    else
      vim.notify('agentls: no proposal left to apply in this conversation.', vim.log.levels.INFO)
    end
  end)
end

--- Completion of :AgentlsApply: the ids of the workspace's kept runs with a proposal.
local function complete_runs()
  local client = vim.lsp.get_clients({ name = 'agentls' })[1]
  local answer = client and client:request_sync('agentls/runs', { limit = RUNS_LISTED }, 2000)
  local ids = {}
  for _, r in ipairs((answer and answer.result and answer.result.runs) or {}) do
    if r.proposals > 0 then
      table.insert(ids, r.runId)
    end
  end
  return ids
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
    for token in pairs(running[client.id] or {}) do -- code-action runs (a command)
      client:notify('window/workDoneProgress/cancel', { token = token })
    end
    for _, run in pairs(asked) do -- :AgentlsAsk / :AgentlsFollowUp (a request)
      if run.request then
        client:cancel_request(run.request)
      end
    end
  end, { desc = 'agentls: cancel the running agent runs' })
  vim.api.nvim_create_user_command('AgentlsAsk', ask_command, {
    range = true,
    nargs = '+',
    desc = 'agentls: ask an agent about the lines (visual range)',
  })
  vim.api.nvim_create_user_command('AgentlsFollowUp', follow_up_command, {
    nargs = '+',
    desc = 'agentls: follow up on the last conversation (or the one :AgentlsRuns showed)',
  })
  vim.api.nvim_create_user_command('AgentlsRuns', runs_command, {
    nargs = 0,
    desc = 'agentls: show a past run and its conversation again',
  })
  vim.api.nvim_create_user_command('AgentlsApply', apply_command, {
    nargs = '?',
    complete = complete_runs,
    desc = "agentls: apply a run's kept proposal as it was shown (no model call)",
  })
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
  handlers = { ['workspace/applyEdit'] = apply_edit, ['agentls/runOutput'] = run_output },
  on_attach = on_attach,
}
