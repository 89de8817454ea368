import { restoreReturnTo } from 'pixie-auth'
import { AuthProvider, RequireAuth } from 'pixie-auth/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, RouterProvider } from 'react-router'
import { auth, demoPanel } from './auth'
import { Layout, LoginFailed, ProtectedPage, PublicPage } from './pages'

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <PublicPage /> },
      {
        path: 'protected',
        element: (
          <RequireAuth fallback={<p>Checking your session…</p>} errorFallback={(error, retry) => <LoginFailed error={error} retry={retry} />}>
            <ProtectedPage />
          </RequireAuth>
        ),
      },
    ],
  },
])

// After a login, go back where the user was, through the router so that it renders that route.
const onRedirectCallback = (appState: unknown) =>
  restoreReturnTo(appState, (path) => router.navigate(path, { replace: true }))

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider client={auth} onRedirectCallback={onRedirectCallback}>
      <RouterProvider router={router} />
    </AuthProvider>
  </StrictMode>,
)

demoPanel.mount(auth)
