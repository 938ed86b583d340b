from audioessay.cli import main

main()
