;;; e2e-eglot.el --- agentls in real Emacs + Eglot, headless  -*- lexical-binding: t -*-
;; usage: emacs -Q --batch -l e2e-eglot.el PLAN.json OUT.json
;; Loads the shipped editors/emacs/agentls-eglot.el, opens a broken agent file, reads the
;; diagnostics flymake got from agentls and applies quick fixes through
;; `eglot-code-actions' (the command behind M-x eglot-code-actions).  Works with Emacs 28 +
;; Debian's elpa-eglot 1.9 and Emacs 29+ (built-in Eglot).  Waits poll a condition.

(require 'package)
;; -Q skips Debian's site-start: point package.el at Debian's elpa folder ourselves
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'json)
(require 'cl-lib)

(defvar e2e-plan (let ((json-object-type 'alist) (json-array-type 'list) (json-key-type 'symbol))
                   (json-read-file (nth 0 command-line-args-left))))
(defvar e2e-out (nth 1 command-line-args-left))
(setq command-line-args-left nil)
(defvar e2e-t0 (float-time))
(defvar e2e-steps nil)
(defvar e2e-ok t)

(defun e2e-get (key) (alist-get key e2e-plan))

(defun e2e-write ()
  (let ((json (json-encode `((emacs . ,emacs-version)
                             (eglot . ,(e2e-eglot-version))
                             (ok . ,(if e2e-ok t :json-false))
                             (steps . ,(vconcat (reverse e2e-steps)))))))
    (with-temp-file e2e-out (insert json))))

(defun e2e-eglot-version ()
  (let ((d (cadr (assq 'eglot package-alist))))
    (if d (package-version-join (package-desc-version d))
      (format "builtin %s" (package-version-join
                            (alist-get 'eglot package--builtin-versions))))))

(defmacro e2e-step (name &rest body)
  "Run BODY as step NAME; BODY returns an alist of data.  Errors are recorded."
  (declare (indent 1))
  `(let ((data (condition-case err (progn ,@body)
                 (error (setq e2e-ok nil)
                        `((error . ,(error-message-string err)) (failed . t))))))
     (push `((name . ,,name) (ok . ,(if (alist-get 'failed data) :json-false t))
             (ms . ,(round (* 1000 (- (float-time) e2e-t0)))) ,@data)
           e2e-steps)
     (e2e-write)))

(defun e2e-wait (pred secs what)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall pred) (error "timed out after %ss waiting for %s" secs what))))

(defun e2e-pos (line col)
  "Buffer position of 0-based LINE and character COL."
  (save-excursion (goto-char (point-min)) (forward-line line) (forward-char col) (point)))

(defun e2e-char-col (pos)
  "Characters between the start of POS's line and POS (not display columns)."
  (save-excursion (goto-char pos) (- pos (line-beginning-position))))

(defun e2e-diags ()
  (vconcat
   (mapcar (lambda (d)
             (let ((beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
               `((text . ,(flymake-diagnostic-text d))
                 (type . ,(symbol-name (flymake-diagnostic-type d)))
                 (line . ,(1- (line-number-at-pos beg)))
                 (col . ,(e2e-char-col beg))
                 (end_line . ,(1- (line-number-at-pos end)))
                 (end_col . ,(e2e-char-col end)))))
           (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a)
                                                         (flymake-diagnostic-beg b)))))))

(defun e2e-has (code)
  (cl-some (lambda (d) (string-match-p (regexp-quote code) (flymake-diagnostic-text d)))
           (flymake-diagnostics)))

;; ------------------------------------------------------------------ set-up, as a user would
(unless (fboundp 'markdown-mode)         ; Emacs 28 has none; users install markdown-mode
  (define-derived-mode markdown-mode text-mode "Markdown"))
(add-to-list 'auto-mode-alist '("\\.md\\'" . markdown-mode))
(setq agentls-server-command (e2e-get 'cmd))
(load (e2e-get 'config) nil t)
(setq eglot-sync-connect 60)            ; the server's start-up on a loaded CI box

(e2e-step "connect"
  (find-file (e2e-get 'agent_file))
  (eglot-ensure)
  ;; eglot-ensure connects from post-command-hook, which --batch never runs
  (unless (eglot-current-server) (apply #'eglot (eglot--guess-contact)))
  (e2e-wait #'eglot-current-server 60 "eglot to connect")
  `((mode . ,(symbol-name major-mode))
    (server . ,(plist-get (eglot--server-info (eglot-current-server)) :name))))

(e2e-step "diagnostics"
  (flymake-start)
  (e2e-wait (lambda () (cl-every #'e2e-has (e2e-get 'expect_codes))) 30 "diagnostics")
  `((items . ,(e2e-diags))))

(let ((i 0))
  (dolist (fix (e2e-get 'quickfixes))
    (setq i (1+ i))
    (e2e-step (format "quickfix %d" i)
      (let* ((line (alist-get 'line fix)) (code (alist-get 'code fix))
             (beg (e2e-pos line (alist-get 'col fix)))
             (titles nil))
        (goto-char beg)
        (setq titles (mapcar (lambda (a) (plist-get a :title))
                             (eglot-code-actions beg beg "quickfix")))
        ;; M-x eglot-code-actions at point: the server's quick fixes; pick ours by title
        ;; invoked from the keyboard (a list here would mean a mouse menu)
        (cl-letf ((last-nonmenu-event ?\r)
                  ((symbol-function 'completing-read)
                   (lambda (_prompt coll &rest _)
                     (or (cl-find-if (lambda (title)
                                       (string-match-p (regexp-quote (alist-get 'title fix)) title))
                                     (mapcar #'car coll))
                         (error "no action titled %S among %S" (alist-get 'title fix)
                                (mapcar #'car coll))))))
          (eglot-code-actions beg beg "quickfix" t))
        ;; didChange goes out from an idle timer, which never fires in --batch
        (eglot--signal-textDocument/didChange)
        (e2e-wait (lambda () (not (e2e-has code))) 30 (format "%s to go" code))
        `((titles . ,(vconcat titles))
          (line_text . ,(save-excursion (goto-char (e2e-pos line 0))
                                        (buffer-substring-no-properties
                                         (point) (line-end-position))))
          (remaining . ,(e2e-diags)))))))

(e2e-step "shutdown"
  (let ((srv (eglot-current-server)))
    (set-buffer-modified-p nil)
    (eglot-shutdown srv)
    `((stopped . ,(if (jsonrpc-running-p srv) :json-false t)))))

(e2e-write)
(kill-emacs (if e2e-ok 0 1))
