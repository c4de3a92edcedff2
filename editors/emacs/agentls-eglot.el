;;; agentls-eglot.el --- agentls language server with Eglot  -*- lexical-binding: t -*-

;; Load from your init file:  (load "/path/to/agentls-eglot.el")
;; or copy the forms below.  Docs: docs/editors/emacs.md
;; Works with Eglot 1.9 (Emacs 28, package `eglot' / Debian `elpa-eglot') and the Eglot
;; built into Emacs 29+.  Needs a `markdown-mode' (package `markdown-mode').

;;; Code:

(require 'eglot)

(defvar agentls-server-command '("agentls" "lsp")
  "How to start the agentls language server (stdio).
Set it before loading this file, e.g. \\='(\"python3\" \"-m\" \"agentls\" \"lsp\").")

(defvar agentls-major-modes '(markdown-mode gfm-mode)
  "Major modes served by agentls.  Agent files are Markdown.")

(add-to-list 'eglot-server-programs
             (cons agentls-major-modes agentls-server-command))

(defun agentls-set-api-key (key)
  "Send the Anthropic API KEY for agent runs to the agentls server of this buffer.
An empty KEY clears it.  The key is not stored anywhere by Emacs or agentls."
  (interactive (list (read-passwd "Anthropic API key (empty clears it): ")))
  (jsonrpc-notify (eglot--current-server-or-lose) :agentls/setApiKey
                  (list :apiKey (if (string-empty-p key) :json-false key)))
  (clear-string key))

(provide 'agentls-eglot)
;;; agentls-eglot.el ends here
