import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { landFromLaunch } from './lib/ltilanding'
import { applyTheme, currentTheme } from './lib/theme'

applyTheme(currentTheme())
if (!landFromLaunch(location)) mount(App, { target: document.getElementById('app')! })
