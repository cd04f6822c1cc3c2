"""Start the chat app: ``python app.py`` (at home) or ``python app.py --kiosk`` (clinic kiosk).

Host and port follow Gradio's GRADIO_SERVER_NAME / GRADIO_SERVER_PORT; settings are BOT_* variables.
"""

from bot.ui import main

if __name__ == "__main__":
    main()
