// Every terminal on the page is made here, so they all measure text alike:
// with Unicode 11 widths, a Japanese file name in `ls` takes two cells per
// character, as the shell in the lab counts it, and columns line up. The
// font stack carries a Japanese monospace font for the same reason.
import { Terminal, type ITerminalOptions } from '@xterm/xterm'
import { Unicode11Addon } from '@xterm/addon-unicode11'

export const terminalFont = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'BIZ UDGothic', 'Noto Sans Mono CJK JP', 'MS Gothic', monospace"

export function newTerminal(options: ITerminalOptions): Terminal {
  // The Unicode version switch is still a "proposed" API in xterm.js.
  const term = new Terminal({ fontFamily: terminalFont, fontSize: 14, ...options, allowProposedApi: true })
  term.loadAddon(new Unicode11Addon())
  term.unicode.activeVersion = '11'
  return term
}

// leavesTerminal is the terminal's way out for keyboard users: Shift+Tab
// goes to the controls before the terminal (xterm.js keeps Tab for the
// shell's completion), as the hint by the terminal says.
export function leavesTerminal(e: KeyboardEvent): boolean {
  return e.type === 'keydown' && e.key === 'Tab' && e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey
}
