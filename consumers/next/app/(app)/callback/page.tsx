// The redirect URI: <AuthProvider> above completes the login here, then the router goes back.
export default function Callback() {
  return <p id="callback">Signing in…</p>
}
