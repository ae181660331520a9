import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { applyTheme, currentTheme } from './lib/theme'

applyTheme(currentTheme())
mount(App, { target: document.getElementById('app')! })
