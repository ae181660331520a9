// The lab shells open in this tab, kept outside any page. Leaving the lab
// page (for Progress, say) only takes the terminal off the screen: its
// socket, its shell on the server and its scrollback stay, and the page
// puts the same terminal back on its return. A shell ends only when the
// lab stops, the person asks for a new shell, or signs out.
//
// On the wire: keystrokes go as binary frames, size changes as small JSON
// text frames; the socket opens with a one-time ticket the API hands out
// just before. If the connection drops (no close from the server), the
// shell comes back to the same shell on the server, which waits for it
// there for the terminal grace.
import type { Terminal } from '@xterm/xterm'
import { m } from '../paraglide/messages.js'
import { FitAddon } from '@xterm/addon-fit'
import { api } from './api'
import { leavesTerminal, newTerminal } from './xterm'

export type ShellStatus = 'connecting' | 'open' | 'closed' | 'reconnecting'

const maxRetries = 8
const encoder = new TextEncoder()

export class LabShell {
  status = $state<ShellStatus>('connecting')
  reason = $state('')
  watchers = $state(0) // staff watching this shell read-only; the server says
  readonly lab: string
  readonly host: string // the terminal host; empty for the lab's first
  readonly term: Terminal
  private readonly fit = new FitAddon()
  private readonly element: HTMLDivElement // the terminal's own node, moved between pages
  private ws: WebSocket | null = null
  private shellID = '' // the server's id for the shell, to come back to it
  private retries = 0
  private ended = false

  constructor(lab: string, host = '') {
    this.lab = lab
    this.host = host
    const dark = document.documentElement.dataset.theme === 'dark'
    this.term = newTerminal({
      cursorBlink: true,
      scrollback: 5000,
      theme: dark ? { background: '#0b1117' } : { background: '#101820', foreground: '#e6edf3' },
    })
    this.term.loadAddon(this.fit)
    this.term.attachCustomKeyEventHandler((e) => !leavesTerminal(e))
    this.element = document.createElement('div')
    this.element.className = 'terminal-screen'
    this.term.onData((d) => this.ws?.readyState === WebSocket.OPEN && this.ws.send(encoder.encode(d)))
  }

  // attach shows the terminal in a page's container, opening the shell the
  // first time.
  attach(container: HTMLElement) {
    container.appendChild(this.element)
    if (!this.term.element) {
      this.term.open(this.element)
      this.connect()
    }
    this.resize()
    this.term.focus()
  }

  // detach takes the terminal off the page; the shell goes on.
  detach() {
    this.element.remove()
  }

  // resize fits the terminal to its container and tells the shell.
  resize() {
    if (!this.element.isConnected || this.element.clientWidth === 0) return
    this.fit.fit()
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'resize', rows: this.term.rows, cols: this.term.cols }))
  }

  // renew ends the shell and opens a new one in the same terminal.
  renew() {
    this.close('new shell')
    this.shellID = ''
    this.retries = 0
    this.term.write(`\r\n\x1b[33m${m.terminal_new_shell_note()}\x1b[0m\r\n`)
    this.connect()
  }

  // end closes the shell for good: a close frame, which the server takes as
  // the end of the shell, not a drop to wait for.
  end() {
    this.ended = true
    this.close('lab left')
    this.term.dispose()
    this.element.remove()
  }

  private close(why: string) {
    const sock = this.ws
    this.ws = null
    sock?.close(1000, why)
  }

  private async connect(resume = false) {
    if (this.ended) return
    this.status = resume ? 'reconnecting' : 'connecting'
    this.reason = ''
    try {
      const { url } = await api.terminalTicket(this.lab, this.host)
      if (this.ended) return
      let wsURL = location.origin.replace(/^http/, 'ws') + url + `&rows=${this.term.rows}&cols=${this.term.cols}`
      if (resume && this.shellID) wsURL += `&resume=${encodeURIComponent(this.shellID)}`
      const sock = new WebSocket(wsURL)
      this.ws = sock
      sock.binaryType = 'arraybuffer'
      sock.onopen = () => {
        this.status = 'open'
        this.retries = 0
        // The shell's terminal starts at the size asked for in the URL, but
        // an engine may ignore it: say it again now that the socket is open.
        this.resize()
      }
      sock.onmessage = (e) => {
        if (typeof e.data !== 'string') return this.term.write(new Uint8Array(e.data))
        const msg = JSON.parse(e.data)
        if (msg.type === 'session') {
          if (resume && !msg.resumed) this.term.write(`\r\n\x1b[33m${m.terminal_earlier_ended_note()}\x1b[0m\r\n`)
          this.shellID = msg.id
        }
        if (msg.type === 'watched') this.watchers = msg.watchers
      }
      sock.onclose = (e) => {
        if (this.ended || this.ws !== sock) return
        this.watchers = 0
        // 1006: the connection dropped without a close. Go back to the shell.
        if (e.code === 1006 && this.shellID && this.retries < maxRetries) return this.retry()
        this.status = 'closed'
        this.reason = e.reason || m.terminal_closed()
      }
    } catch (e) {
      if (resume && this.retries < maxRetries) return this.retry()
      this.status = 'closed'
      this.reason = e instanceof Error ? e.message : m.terminal_failed()
    }
  }

  private retry() {
    this.retries++
    this.status = 'reconnecting'
    setTimeout(() => this.connect(true), Math.min(500 * 2 ** this.retries, 8000))
  }
}

// The shells open in this tab, by lab and terminal host.
const open = new Map<string, Map<string, LabShell>>()

// shellFor gives the lab's shell in a terminal host (empty: the lab's
// first) in this tab, made on first use.
export function shellFor(lab: string, host = ''): LabShell {
  let hosts = open.get(lab)
  if (!hosts) open.set(lab, (hosts = new Map()))
  let sh = hosts.get(host)
  if (!sh) hosts.set(host, (sh = new LabShell(lab, host)))
  return sh
}

// endShell ends every shell of the lab: the lab stopped.
export function endShell(lab: string) {
  for (const sh of open.get(lab)?.values() ?? []) sh.end()
  open.delete(lab)
}

// endAllShells ends every shell: the person signed out.
export function endAllShells() {
  for (const lab of [...open.keys()]) endShell(lab)
}
