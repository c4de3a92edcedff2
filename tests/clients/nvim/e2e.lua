-- agentls in real Neovim 0.11, headless, through the shipped editors/nvim/lsp/agentls.lua.
-- usage: nvim --headless --clean -l e2e.lua PLAN.json OUT.json
-- The plan (written by tests/clients/test_neovim_e2e.py) names the files, positions and
-- expectations; every step records what Neovim saw into OUT.json and the pytest side
-- asserts it. No sleeps: every wait is vim.wait on a condition.
local plan_path, out_path = arg[1], arg[2]
local plan = vim.json.decode(table.concat(vim.fn.readfile(plan_path), '\n'))
local res = { nvim = tostring(vim.version()), steps = {} }
local t0 = vim.uv.hrtime()
local function ms()
  return math.floor((vim.uv.hrtime() - t0) / 1e6)
end

local function write_out()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.json.encode(res))
  f:close()
end

--- Run one step; an error is recorded (with its traceback) and does not stop later steps.
local function step(name, fn)
  local data = { name = name }
  local ok, err = xpcall(function()
    fn(data)
  end, debug.traceback)
  data.ok = ok and data.ok ~= false
  if not ok then
    data.error = tostring(err)
  end
  data.ms = ms()
  table.insert(res.steps, data)
  write_out() -- a hang later still leaves the finished steps on disk
end

local function wait(timeout, cond, what)
  if not vim.wait(timeout, cond, 20) then
    error('timed out after ' .. timeout .. ' ms waiting for ' .. what, 2)
  end
end

-- ------------------------------------------------------------------ set-up, as a user would
vim.opt.runtimepath:prepend(plan.rtp) -- the repository's editors/nvim: lsp/agentls.lua
vim.cmd('filetype on')
vim.o.swapfile = false
vim.g.loaded_python3_provider = 0 -- python ftplugin would probe for pynvim (seconds)
-- plan.filetypes nil: the shipped file's filetypes (markdown and the programming languages)
vim.lsp.config('agentls', { cmd = plan.cmd, filetypes = plan.filetypes })
vim.lsp.enable('agentls')

-- The user's answers: confirm() (edit confirmation) and vim.ui.select (code action menu).
local confirms = {} ---@type table[]
local confirm_answers = vim.deepcopy(plan.confirm_answers) ---@type integer[]
vim.fn.confirm = function(msg, choices, default, kind)
  local answer = table.remove(confirm_answers, 1) or 0
  table.insert(confirms, { msg = msg, choices = choices, default = default, answer = answer })
  return answer
end
local menus = {} ---@type table[]
local pick ---@type string?
vim.ui.select = function(items, opts, on_choice)
  local titles = {}
  local chosen, idx
  for i, item in ipairs(items) do
    local t = opts.format_item and opts.format_item(item) or tostring(item)
    table.insert(titles, t)
    if pick and t:find(pick, 1, true) and not chosen then
      chosen, idx = item, i
    end
  end
  table.insert(menus, { prompt = opts.prompt, titles = titles, picked = idx })
  on_choice(chosen, idx)
end

local progress = {} ---@type table[]
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local v = ev.data.params.value or {}
    table.insert(progress, {
      token = ev.data.params.token,
      kind = v.kind,
      cancellable = v.cancellable,
      message = v.message,
    })
  end,
})

local function client_of(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'agentls' })[1]
end

local function diags(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      code = d.code,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      source = d.source,
      message = d.message,
    })
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return out
end

local function has_code(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == code then
      return true
    end
  end
  return false
end

local function messages()
  return vim.api.nvim_exec2('messages', { output = true }).output
end

-- ------------------------------------------------------------------ the agent file
local agent_buf, client
step('attach', function(d)
  vim.cmd.edit(vim.fn.fnameescape(plan.agent_file))
  agent_buf = vim.api.nvim_get_current_buf()
  d.filetype = vim.bo[agent_buf].filetype
  wait(60000, function() -- the server's start-up, on a loaded 2-core CI box
    client = client_of(agent_buf)
    return client ~= nil and client.initialized
  end, 'the agentls client to attach')
  d.offset_encoding = client.offset_encoding
  d.root_dir = client.root_dir
  d.server_name = client.server_info and client.server_info.name
  d.pull = client.server_capabilities.diagnosticProvider ~= nil
  d.hover_provider = client.server_capabilities.hoverProvider and true or false
  d.completion_provider = client.server_capabilities.completionProvider ~= nil
  d.document_changes = vim.tbl_get(client.capabilities, 'workspace', 'workspaceEdit', 'documentChanges')
end)

-- Every agentls/runOutput notification, seen through the shipped handler (which shows
-- only the output of :AgentlsAsk runs).
local outputs = {} ---@type table[]
if client then
  local shipped = client.handlers['agentls/runOutput']
  client.handlers['agentls/runOutput'] = function(err, params, ctx, config)
    table.insert(outputs, params)
    return shipped(err, params, ctx, config)
  end
end

--- :AgentlsCancel once the run's answer streams `text` (in the outputs after `n_outputs`):
--- the API has the request and its reply is being read. A cancel as soon as the run begins
--- (its progress 'begin') can come before the request is sent: the stalled reply scripted
--- for this run then answers the next run, an :AgentlsAsk that waited 120 s for it (issue 17).
local function cancel_when_streamed(n_outputs, text)
  wait(30000, function()
    for i = n_outputs + 1, #outputs do
      if outputs[i].kind == 'delta' and outputs[i].text:find(text, 1, true) then
        return true
      end
    end
    return false
  end, 'the answer to stream "' .. text .. '"')
  vim.cmd('AgentlsCancel')
end

step('diagnostics', function(d)
  wait(15000, function()
    for _, code in ipairs(plan.expect_codes) do
      if not has_code(agent_buf, code) then
        return false
      end
    end
    return true
  end, 'diagnostics ' .. table.concat(plan.expect_codes, ', '))
  d.items = diags(agent_buf)
  d.lines = vim.api.nvim_buf_get_lines(agent_buf, 0, -1, false)
end)

step('hover', function(d)
  if not (client and client.server_capabilities.hoverProvider) then
    d.unsupported = true
    return
  end
  vim.api.nvim_win_set_cursor(0, { plan.hover.line + 1, plan.hover.col })
  vim.lsp.buf.hover()
  local float
  wait(5000, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        float = w
        return true
      end
    end
    return false
  end, 'the hover window')
  d.lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  vim.api.nvim_win_close(float, true)
end)

step('completion', function(d)
  if not (client and client.server_capabilities.completionProvider) then
    d.unsupported = true
    return
  end
  vim.api.nvim_win_set_cursor(0, { plan.completion.line + 1, plan.completion.col })
  -- the position Neovim itself computes from the cursor (UTF-8 columns on 0.11)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  d.position = params.position
  local r = client:request_sync('textDocument/completion', params, 5000, agent_buf)
  assert(r and not r.err, 'completion failed: ' .. vim.inspect(r))
  local items = r.result and (r.result.items or r.result) or {}
  d.labels = {}
  for _, it in ipairs(items) do
    table.insert(d.labels, it.label)
  end
end)

for i, fix in ipairs(plan.quickfixes) do
  step('quickfix ' .. i, function(d)
    d.title = fix.title
    vim.api.nvim_win_set_cursor(0, { fix.line + 1, fix.col })
    local before = vim.api.nvim_buf_get_lines(agent_buf, fix.line, fix.line + 1, false)[1]
    -- what a user gets from `gra` / vim.lsp.buf.code_action(): pick the fix in the menu
    pick = fix.title
    vim.lsp.buf.code_action({ context = { only = { 'quickfix' } } })
    wait(5000, function()
      return vim.api.nvim_buf_get_lines(agent_buf, fix.line, fix.line + 1, false)[1] ~= before
    end, 'the fix "' .. fix.title .. '" to change line ' .. fix.line)
    d.menu = menus[#menus]
    wait(10000, function()
      return not has_code(agent_buf, fix.code)
    end, 'diagnostic ' .. fix.code .. ' to go')
    d.line = vim.api.nvim_buf_get_lines(agent_buf, fix.line, fix.line + 1, false)[1]
    d.remaining = diags(agent_buf)
  end)
end

-- ------------------------------------------------------------------ agent runs on code
local py_buf
step('attach python', function(d)
  vim.cmd.edit(vim.fn.fnameescape(plan.code_file))
  py_buf = vim.api.nvim_get_current_buf()
  d.filetype = vim.bo[py_buf].filetype
  wait(30000, function()
    local c = client_of(py_buf)
    return c ~= nil and c.initialized
  end, 'agentls to attach to the Python buffer')
  d.same_client = client_of(py_buf).id == (client and client.id)
end)

-- :AgentlsAsk on a visual range, then :AgentlsFollowUp: the answer streams into the
-- conversation split, the usage line at the end of each.
local function conversation_lines()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):find('agentls://conversation', 1, true) then
      return vim.api.nvim_buf_get_lines(b, 0, -1, false), b
    end
  end
  return {}, nil
end

local function count(lines, needle)
  local n = 0
  for _, l in ipairs(lines) do
    if l:find(needle, 1, true) then
      n = n + 1
    end
  end
  return n
end

-- Visual mode mapping, as in docs/editors/neovim.md
vim.keymap.set('x', '<F12>', function()
  vim.lsp.buf.code_action({ context = { only = { 'refactor.agentls' } } })
end)

for i, run in ipairs(plan.runs) do
  step('run ' .. i .. ' ' .. run.pick, function(d)
    d.pick = run.pick
    local n_confirms, n_menus, n_wins = #confirms, #menus, #vim.api.nvim_list_wins()
    vim.cmd('messages clear')
    vim.api.nvim_set_current_buf(py_buf)
    if run.set_key then -- :AgentlsSetApiKey, the key typed at the inputsecret() prompt
      vim.fn.inputsecret = function(prompt)
        d.key_prompt = prompt
        return run.set_key
      end
      vim.cmd('AgentlsSetApiKey')
    end
    local n_progress, n_outputs = #progress, #outputs
    pick = run.pick
    local keys = ('<Esc>%dGV%dG<F12><Esc>'):format(run.from_line + 1, run.to_line + 1)
    vim.api.nvim_feedkeys(vim.keycode(keys), 'x', false)
    wait(5000, function()
      return #menus > n_menus
    end, 'the code action menu')
    d.menu = menus[#menus]
    if run.cancel_when then
      cancel_when_streamed(n_outputs, run.cancel_when)
    end
    if run.expect_line then
      wait(30000, function()
        local l = vim.api.nvim_buf_get_lines(py_buf, run.expect_line.line, run.expect_line.line + 1, false)[1]
        return l == run.expect_line.text
      end, 'the agent edit in the buffer')
    end
    if run.expect_message then
      wait(30000, function()
        return messages():find(run.expect_message, 1, true) ~= nil
      end, 'the message "' .. run.expect_message .. '"')
    end
    if run.expect_window then
      local w
      wait(30000, function()
        for _, win in ipairs(vim.api.nvim_list_wins()) do
          local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
          if table.concat(lines, '\n'):find(run.expect_window, 1, true) then
            w = win
            return true
          end
        end
        return false
      end, 'a window showing "' .. run.expect_window .. '"')
      local b = vim.api.nvim_win_get_buf(w)
      d.window = {
        name = vim.api.nvim_buf_get_name(b),
        lines = vim.api.nvim_buf_get_lines(b, 0, -1, false),
        focused = vim.api.nvim_get_current_win() == w,
        new = #vim.api.nvim_list_wins() > n_wins,
      }
    end
    d.progress = vim.list_slice(progress, n_progress + 1)
    d.confirms = vim.list_slice(confirms, n_confirms + 1)
    d.buffer = vim.api.nvim_buf_get_lines(py_buf, 0, -1, false)
    d.modified = vim.bo[py_buf].modified
    d.messages = messages()
  end)
end

-- Right after the cancelled run, as a user would: ask about the lines, then follow up.
for i, a in ipairs(plan.asks or {}) do
  step('ask ' .. i, function(d)
    vim.cmd('messages clear')
    vim.api.nvim_set_current_buf(py_buf)
    local before = count((conversation_lines()), '-- Tokens:')
    local n_menus = #menus
    pick = a.pick
    local n_outputs = #outputs
    if a.command == 'AgentlsAsk' then
      local keys = ('<Esc>%dGV%dG:AgentlsAsk %s<CR>'):format(a.from_line + 1, a.to_line + 1, a.text)
      vim.api.nvim_feedkeys(vim.keycode(keys), 'x', false)
    else
      vim.cmd(a.command .. ' ' .. a.text)
    end
    if a.cancel_when then -- an ask is a request: cancelled by $/cancelRequest
      cancel_when_streamed(n_outputs, a.cancel_when)
    end
    wait(60000, function()
      local lines = conversation_lines()
      local text = table.concat(lines, '\n')
      return text:find(a.expect, 1, true) ~= nil and (a.cancel_when or count(lines, '-- Tokens:') > before)
    end, 'the answer and its usage line in the conversation split')
    local lines, buf = conversation_lines()
    d.lines = lines
    d.menu = #menus > n_menus and menus[#menus] or nil
    d.shown = vim.fn.bufwinid(buf) ~= -1
    d.focused_py = vim.api.nvim_get_current_buf() == py_buf
    d.messages = messages()
  end)
end

-- ------------------------------------------------------------------ kept runs, after a restart
-- The server is restarted (a new process: what it knows of the runs is what it kept on
-- disk); :AgentlsRuns lists the runs Neovim remembers for the project, the declined Improve
-- is shown again with its diff; :AgentlsApply is refused while the file holds other text,
-- and applies the proposal as it was shown once the text is back (no model call).
local kept = plan.kept
step('runs', function(d)
  local old = client_of(py_buf)
  old:stop()
  wait(10000, function()
    return old:is_stopped()
  end, 'the server to stop')
  vim.api.nvim_set_current_buf(py_buf)
  vim.api.nvim_exec_autocmds('FileType', { group = 'nvim.lsp.enable', buffer = py_buf })
  wait(60000, function()
    local c = client_of(py_buf)
    return c ~= nil and c.initialized and c.id ~= old.id
  end, 'agentls to start again')
  d.new_client = client_of(py_buf).id ~= old.id
  local n_menus = #menus
  pick = kept.pick
  vim.cmd('AgentlsRuns')
  wait(5000, function()
    return #menus > n_menus
  end, 'the :AgentlsRuns menu')
  d.menu = menus[#menus]
  wait(30000, function()
    return table.concat((conversation_lines()), '\n'):find('not applied: :AgentlsApply', 1, true) ~= nil
  end, 'the chosen run in the conversation split')
  d.lines = conversation_lines()
end)

step('apply refused', function(d)
  vim.cmd('messages clear')
  local n_confirms = #confirms
  vim.api.nvim_buf_set_lines(py_buf, 0, 0, false, { kept.inserted })
  vim.cmd('AgentlsApply')
  wait(30000, function()
    return messages():find(kept.refused, 1, true) ~= nil
  end, 'the refusal "' .. kept.refused .. '"')
  d.messages = messages()
  d.confirms = vim.list_slice(confirms, n_confirms + 1)
  d.buffer = vim.api.nvim_buf_get_lines(py_buf, 0, -1, false)
end)

step('apply', function(d)
  vim.cmd('messages clear')
  local n_confirms = #confirms
  vim.api.nvim_buf_set_lines(py_buf, 0, 1, false, {}) -- the text is as the run saw it again
  local run_id = assert(menus[#menus].titles[menus[#menus].picked]:match('%[([%w_-]+)%]$'))
  d.run_id = run_id
  vim.cmd('AgentlsApply ' .. run_id) -- the run named, as :AgentlsRuns shows it
  wait(30000, function()
    local l = vim.api.nvim_buf_get_lines(py_buf, kept.line, kept.line + 1, false)[1]
    return l == kept.text and messages():find('applied', 1, true) ~= nil
  end, 'the kept proposal in the buffer')
  d.messages = messages()
  d.confirms = vim.list_slice(confirms, n_confirms + 1)
  d.buffer = vim.api.nvim_buf_get_lines(py_buf, 0, -1, false)
  d.conversation = conversation_lines()
end)

-- ------------------------------------------------------------------ the project configuration
-- A rule turned off in agentls.toml, typed in Neovim (the shipped config attaches to TOML
-- files): first a key that does not exist, reported on the configuration's own buffer, then
-- the rule off and the file written; the agent's buffer, not touched, no longer has it (the
-- server pushes Neovim its diagnostics: Neovim 0.11 pulls a buffer's only when that buffer
-- changes, and has no workspace/diagnostic/refresh).
step('configuration', function(d)
  local cfg = plan.configuration
  vim.cmd.edit(vim.fn.fnameescape(cfg.agent_file))
  local buf = vim.api.nvim_get_current_buf()
  wait(30000, function()
    return has_code(buf, cfg.code)
  end, 'diagnostic ' .. cfg.code .. ' on the agent')
  d.before = diags(buf)
  vim.cmd.edit(vim.fn.fnameescape(cfg.config_file))
  local cbuf = vim.api.nvim_get_current_buf()
  d.config_filetype = vim.bo[cbuf].filetype
  wait(30000, function()
    local c = client_of(cbuf)
    return c ~= nil and c.initialized
  end, 'agentls to attach to the configuration')
  vim.api.nvim_buf_set_lines(cbuf, 0, -1, false, cfg.bad_lines)
  wait(15000, function()
    return has_code(cbuf, 'AL991')
  end, 'AL991 on the configuration')
  d.config_diags = diags(cbuf)
  vim.api.nvim_buf_set_lines(cbuf, 0, -1, false, cfg.lines)
  vim.cmd.write()
  wait(15000, function()
    return not has_code(cbuf, 'AL991')
  end, 'AL991 to go')
  d.config_after = diags(cbuf)
  wait(15000, function()
    return not has_code(buf, cfg.code)
  end, 'diagnostic ' .. cfg.code .. ' to go')
  d.after = diags(buf)
  d.config_on_disk = vim.fn.readfile(cfg.config_file)
end)

step('shutdown', function()
  local clients = vim.lsp.get_clients({ name = 'agentls' })
  for _, c in ipairs(clients) do
    c:stop()
  end
  wait(10000, function()
    for _, c in ipairs(clients) do
      if not c:is_stopped() then
        return false
      end
    end
    return true
  end, 'the server to stop')
end)

local allok = true
for _, s in ipairs(res.steps) do
  allok = allok and s.ok
end
res.ok = allok
write_out()
vim.cmd(allok and 'qall!' or 'cquit! 1')
